// The firmware's composition with every Moddable module replaced by a fake: Wi-Fi, SNTP, the ECMA-419 MQTT
// client, NVS, the outbox partition (emulated NOR flash), a sensor, LED and button. What the device main does
// on a board, minus the board.
import test from 'ava';
import { flashDevice } from '../../../hosts/esp32/flash-partition.js';
import { parseDeviceConfig } from '../../../hosts/esp32/device-config.js';
import { FieldDevice, type DevicePlatform } from '../../../hosts/esp32/field-device.js';
import { formatClaimRequest, parseConsoleLine } from '../../../hosts/esp32/console-protocol.js';
import { DEVICE_KEY_RECORD } from '../../../hosts/esp32/device-key.js';
import type { WifiMessage } from '../../../hosts/esp32/wifi-link.js';
import { fromHex } from '../../../src/core/bytes.js';
import { decodeSign1, verifySign1 } from '../../../src/core/cose-sign1.js';
import { MemoryStorage } from '../../../src/core/memory-storage.js';
import { decodeReading, type ReadingV1 } from '../../../src/core/reading.js';
import { FIELDS } from '../../../src/core/sampler.js';
import { nobleVerify } from '../../../src/core/signer.js';
import { decodeStatus } from '../../../src/core/status.js';
import { checkOwnershipClaim } from '../../../src/verifier/registry/ownership-claim.js';
import { ManualClock, ManualTimer, settle } from '../../helpers/fake-host.js';
import { FakeMqttBroker, type FakeMqttClient } from './emulators/mqtt-client.js';
import { ModdableFlashEmulator } from './emulators/moddable-flash.js';
import { NorFlash } from './emulators/nor-flash.js';

const BUILT = 1_767_225_600;
const config = parseDeviceConfig({ v: 1, wifiSsid: 'bench', wifiPassword: 'correct horse', broker: 'mqtt://10.0.0.2', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: BUILT });
const FIRMWARE = { version: '0.1.0', build: Uint8Array.of(0x0a, 0x1b, 0x2c, 0x3d) };

/** A board: its NVS and flash outlive a FieldDevice (a reboot makes a new one on the same board). */
function board() {
  return { storage: new MemoryStorage(), nor: new NorFlash(8), rngCounter: 1 };
}

function boot(b: ReturnType<typeof board>, options: { sntpSeconds?: number } = {}) {
  const clock = new ManualClock(0); // ticks since this boot
  const timer = new ManualTimer(clock);
  const broker = new FakeMqttBroker();
  const console: string[] = [];
  const restarts: string[] = [];
  const leds: boolean[] = [];
  let wifi: ((m: WifiMessage) => void) | undefined;
  let button = 1;
  let temperature = 21.5;
  const platform: DevicePlatform = {
    storage: b.storage,
    rng: { bytes: (n) => Uint8Array.from({ length: n }, () => (b.rngCounter = (b.rngCounter * 1103515245 + 12345) >>> 0) >>> 24) },
    timer,
    ticks: () => clock.ms,
    log: { info() {}, warn() {}, error() {} },
    print: (line) => console.push(line),
    outboxFlash: flashDevice(new ModdableFlashEmulator(b.nor), 'fpoutbox'),
    wifiConnect: (onMessage) => (wifi = onMessage),
    wifiDisconnect: () => {},
    sntpRequest: (_host, done) => timer.set(() => done(undefined, (options.sntpSeconds ?? BUILT + 3600) + clock.ms / 1000), 50),
    mqtt: broker.create,
    sensors: [{ name: 'bme280@0x76', sensor: { sample: () => ({ thermometer: { temperature } }) }, fields: [FIELDS.thermometer] }],
    led: (on) => leds.push(on),
    buttonRead: () => button,
    diagnostics: () => ({ freeHeap: 61_234, resetReason: 'poweron' }),
    restart: (reason) => restarts.push(reason),
  };
  const device = new FieldDevice(platform, config, FIRMWARE);
  return {
    device, clock, timer, broker, console, restarts, leds, platform,
    wifi: (m: WifiMessage) => wifi!(m),
    press: () => {
      button = 0;
      device.buttonEdge();
      timer.advance(60);
      button = 1;
      device.buttonEdge();
      timer.advance(60);
    },
    setTemperature: (t: number) => (temperature = t),
  };
}

async function ackAll(client: FakeMqttClient): Promise<void> {
  for (let round = 0; round < 10; round++) {
    await settle();
    const open = client.written.filter((w) => w.options.QoS === 1 && !(w as { acked?: boolean }).acked);
    if (open.length === 0) return;
    for (const w of open) {
      (w as { acked?: boolean }).acked = true;
      client.puback(w.options.id);
    }
  }
}

function readingsOf(client: FakeMqttClient): ReadingV1[] {
  return client.written
    .filter((w) => w.topic.endsWith('/readings'))
    .map((w) => {
      const cose = decodeSign1(w.payload);
      if (!cose.ok) throw new Error(cose.detail);
      const r = decodeReading(cose.parts.payload);
      if (!r.ok) throw new Error(r.detail);
      return r.reading;
    });
}

test('first boot: prints its public key, signs nothing before SNTP, then publishes status and readings with QoS 1', async (t) => {
  const b = board();
  const d = boot(b);
  d.device.start();
  const banner = parseConsoleLine(d.console[0]!);
  t.is(banner?.kind, 'device');
  t.true(b.storage.get(DEVICE_KEY_RECORD)!.length === 32);
  t.false(d.console.join('\n').includes(Buffer.from(b.storage.get(DEVICE_KEY_RECORD)!).toString('hex')), 'the secret is never printed');

  d.timer.advance(5 * 60_000); // no Wi-Fi for 5 minutes: no time, so nothing signed
  t.is(d.device.node!.stats.signed, 0);
  t.is(d.device.ledState, 'wifi');

  d.wifi('connect');
  d.wifi('gotIP');
  t.is(d.broker.clients.length, 1, 'MQTT starts with the network');
  d.timer.advance(100); // SNTP answers
  d.broker.last.connack();
  await ackAll(d.broker.last);
  const status = d.broker.last.written.find((w) => w.topic.endsWith('/status'))!;
  t.true(status.options.retain);
  const statusBody = decodeStatus(decodeSign1(status.payload).ok ? (decodeSign1(status.payload) as { parts: { payload: Uint8Array } }).parts.payload : new Uint8Array());
  t.true(statusBody.ok);
  if (statusBody.ok) {
    t.like(statusBody.status.diagnostics, { freeHeap: 61_234, resetReason: 'poweron', maintenance: 0 });
    t.is(statusBody.status.deviceId, banner?.kind === 'device' ? banner.banner.deviceId : '');
  }
  // The will is the signed offline status.
  const will = decodeStatus((decodeSign1(new Uint8Array(d.broker.last.options.will!.message)) as { parts: { payload: Uint8Array } }).parts.payload);
  t.true(will.ok && !will.status.online);

  d.timer.advance(3 * 60_000);
  await ackAll(d.broker.last);
  const readings = readingsOf(d.broker.last);
  t.true(readings.length >= 2);
  t.deepEqual(readings.map((r) => r.seq), readings.map((_, i) => i));
  t.true(readings.every((r) => r.time >= BUILT + 3600));
  t.true(d.broker.last.written.filter((w) => w.topic.endsWith('/readings')).every((w) => w.options.QoS === 1));
  t.is(d.device.outbox!.depth, 0);
  t.is(d.device.ledState, 'online');
  const pk = fromHex(banner?.kind === 'device' ? banner.banner.publicKey : '');
  const first = decodeSign1(d.broker.last.written.find((w) => w.topic.endsWith('/readings'))!.payload);
  t.true(first.ok && verifySign1(first.parts, pk, nobleVerify));
});

test('readings taken offline wait in flash across a reboot and go out after it, same key, sequence moving on', async (t) => {
  const b = board();
  const one = boot(b);
  one.device.start();
  one.wifi('gotIP');
  one.timer.advance(100); // time, but the broker never answers
  one.timer.advance(10 * 60_000);
  const stored = one.device.outbox!.depth;
  t.true(stored >= 9);
  const id = one.device.banner!.deviceId;

  const two = boot(b); // power cycle
  two.device.start();
  t.is(two.device.banner!.deviceId, id);
  t.is(two.device.outbox!.depth, stored);
  two.wifi('gotIP');
  two.timer.advance(100);
  two.broker.last.connack();
  await ackAll(two.broker.last);
  two.timer.advance(60_000);
  await ackAll(two.broker.last);
  const seqs = readingsOf(two.broker.last).map((r) => r.seq);
  t.deepEqual(seqs.slice(0, stored), [...Array(stored).keys()]);
  t.true(seqs[stored]! >= 64, 'the new boot starts above the reservation of the last one');
  t.true(readingsOf(two.broker.last).slice(0, stored).every((r) => r.flags.backfilled));
  t.is(two.device.outbox!.depth, 0);
});

test('a button press turns maintenance on: the LED shows it and the readings are flagged', async (t) => {
  const d = boot(board());
  d.device.start();
  d.wifi('gotIP');
  d.timer.advance(100);
  d.broker.last.connack();
  await ackAll(d.broker.last);
  d.press();
  d.timer.advance(60_000);
  await ackAll(d.broker.last);
  t.is(d.device.ledState, 'maintenance');
  const during = readingsOf(d.broker.last).map((r) => r.flags.maintenance);
  t.true(during.length >= 1 && during.every(Boolean));
  d.press();
  d.timer.advance(2 * 60_000);
  await ackAll(d.broker.last);
  const after = readingsOf(d.broker.last).slice(during.length).map((r) => r.flags.maintenance);
  t.true(after.length >= 1);
  t.false(after.some(Boolean));
});

test('the console answers HELLO and signs a claim the verifier accepts, but only in the provisioning window', (t) => {
  const d = boot(board());
  d.device.start();
  d.device.consoleLine('FP1 HELLO');
  t.is(d.console.length, 2);
  t.is(d.console[1], d.console[0]);
  const request = { owner: '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01', nonce: '5a'.repeat(16), latE6: 47_370_000, lonE6: 8_540_000, signedAt: BUILT };
  d.device.consoleLine(formatClaimRequest(request));
  const answer = parseConsoleLine(d.console.at(-1)!);
  t.is(answer?.kind, 'claimed');
  const pk = fromHex(d.device.banner!.publicKey);
  t.true(answer?.kind === 'claimed' && checkOwnershipClaim(answer.claim, pk, nobleVerify).ok);
  d.timer.advance(11 * 60_000);
  d.device.consoleLine(formatClaimRequest(request));
  t.like(parseConsoleLine(d.console.at(-1)!), { kind: 'error', code: 'claim_closed' });
});

test('a node with time that stops storing readings restarts itself', (t) => {
  const b = board();
  const d = boot(b);
  d.device.start();
  d.wifi('gotIP');
  d.timer.advance(100);
  d.timer.advance(3 * 60_000);
  t.deepEqual(d.restarts, []);
  b.storage.set = () => {
    throw new Error('NVS write failed');
  };
  d.timer.advance(70 * 60_000); // every cycle now fails when it needs a new sequence block
  t.true(d.restarts.length > 0);
  t.is(d.restarts[0], 'stalled');
});

test('a corrupt key record stops the boot with a fault LED and an error line, never a new identity', (t) => {
  const b = board();
  b.storage.set(DEVICE_KEY_RECORD, Uint8Array.of(1, 2, 3));
  const d = boot(b);
  t.throws(() => d.device.start(), { message: /FP_E_KEY_CORRUPT/ });
  t.regex(d.console.at(-1)!, /^FP1 ERROR boot_failed FP_E_KEY_CORRUPT/);
  t.is(d.device.ledState, 'fault');
  t.deepEqual(b.storage.get(DEVICE_KEY_RECORD), Uint8Array.of(1, 2, 3));
});
