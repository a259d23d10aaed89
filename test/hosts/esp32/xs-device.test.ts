// The firmware composition in the real XS engine: the bundle `npm run build:firmware` produces (what mcconfig
// preloads) boots a FieldDevice on fakes of the Moddable modules (test/helpers/xs-driver.js), and what it prints
// and publishes is checked here on Node: the banner's key, signed readings and status, a claim the verifier
// accepts, and a reboot that keeps identity and outbox.
import test from 'ava';
import { fromHex } from '../../../src/core/bytes.js';
import { decodeSign1, verifySign1 } from '../../../src/core/cose-sign1.js';
import { decodeReading } from '../../../src/core/reading.js';
import { nobleVerify } from '../../../src/core/signer.js';
import { decodeStatus } from '../../../src/core/status.js';
import { checkOwnershipClaim } from '../../../src/verifier/registry/ownership-claim.js';
import { formatClaimRequest, parseConsoleLine, type DeviceBanner } from '../../../hosts/esp32/console-protocol.js';
import { startXsCore, type XsCore } from '../../helpers/xs-core.js';

const BUILT = 1_767_225_600;
const config = { v: 1, wifiSsid: 'bench', wifiPassword: 'correct horse', broker: 'mqtt://10.0.0.2', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: BUILT };

interface Summary {
  stats: { signed: number; published: number };
  depth: number;
  led: string | null;
  published: number;
  restarts: string[];
}
interface Published {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

let xs: XsCore | undefined;
test.before(async () => {
  xs = await startXsCore({ name: 'xs-device' });
});
test.after.always(async () => {
  await xs?.close();
});

const call = async <T>(op: string, args: object = {}) => (await xs!.call<T>(op, args)).result;

test.serial('boot in XS: banner, no reading before time, then signed status and readings over QoS 1; claim; reboot', async (t) => {
  const boot = await call<{ console: string[] }>('deviceBoot', { config, sntpSeconds: BUILT + 3600 });
  const banner = parseConsoleLine(boot.console[0]!);
  t.is(banner?.kind, 'device');
  const device = (banner as { banner: DeviceBanner }).banner;
  const publicKey = fromHex(device.publicKey);

  const offline = await call<Summary>('deviceAdvance', { ms: 3 * 60_000 });
  t.is(offline.stats.signed, 0, 'nothing is signed before SNTP');
  t.is(offline.led, 'wifi');

  await call<Summary>('deviceOnline');
  const online = await call<Summary>('deviceAdvance', { ms: 5 * 60_000 });
  t.true(online.stats.signed >= 4);
  t.is(online.depth, 0, 'every reading acknowledged and removed from the flash outbox');
  t.is(online.led, 'online');

  const published = await call<Published[]>('devicePublished');
  const status = published.find((p) => p.topic.endsWith('/status'))!;
  t.true(status.retain);
  const statusCose = decodeSign1(fromHex(status.payload));
  t.true(statusCose.ok && verifySign1(statusCose.parts, publicKey, nobleVerify));
  const statusBody = statusCose.ok ? decodeStatus(statusCose.parts.payload) : undefined;
  t.true(statusBody?.ok && statusBody.status.deviceId === device.deviceId);

  const readings = published.filter((p) => p.topic.endsWith('/readings'));
  t.true(readings.every((p) => p.qos === 1));
  const seqs = readings.map((p) => {
    const cose = decodeSign1(fromHex(p.payload));
    if (!cose.ok || !verifySign1(cose.parts, publicKey, nobleVerify)) throw new Error('a reading does not verify with the banner key');
    const reading = decodeReading(cose.parts.payload);
    if (!reading.ok) throw new Error(reading.detail);
    t.true(reading.reading.time >= BUILT + 3600);
    return reading.reading.seq;
  });
  t.deepEqual(seqs, seqs.map((_, i) => i));

  const request = { owner: '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01', nonce: '5a'.repeat(16), latE6: 47_370_000, lonE6: 8_540_000, signedAt: BUILT };
  const answer = parseConsoleLine((await call<string[]>('deviceConsole', { line: formatClaimRequest(request) }))[0]!);
  t.true(answer?.kind === 'claimed' && checkOwnershipClaim(answer.claim, publicKey, nobleVerify).ok);

  // Offline readings, then a power cycle: same key, the outbox still holds them.
  const before = await call<Summary>('deviceAdvance', { ms: 0 });
  await call('deviceBoot', { config, sntpSeconds: BUILT + 7200, keepBoard: true });
  const rebooted = parseConsoleLine((await call<string[]>('deviceConsole', { line: 'FP1 HELLO' }))[0]!);
  t.is(rebooted?.kind === 'device' ? rebooted.banner.publicKey : '', device.publicKey);
  t.is(before.depth, 0);
});

test.serial('readings stored while the broker is away survive a reboot in XS and go out after it', async (t) => {
  await call('deviceBoot', { config, sntpSeconds: BUILT + 3600 });
  await call('deviceOnline');
  const sent = (await call<Summary>('deviceAdvance', { ms: 2 * 60_000 })).published;
  await call('deviceBrokerDown');
  const stored = await call<Summary>('deviceAdvance', { ms: 5 * 60_000 });
  t.true(stored.depth >= 4, 'readings wait in the flash outbox');
  t.is(stored.led, 'broker');

  const after = await call<{ depth: number }>('deviceBoot', { config, sntpSeconds: BUILT + 4200, keepBoard: true });
  t.is(after.depth, stored.depth, 'the outbox survived the reboot');
  await call('deviceOnline');
  const drained = await call<Summary>('deviceAdvance', { ms: 60_000 });
  t.is(drained.depth, 0);
  const readings = (await call<Published[]>('devicePublished')).filter((p) => p.topic.endsWith('/readings'));
  const seqs = readings.map((p) => {
    const cose = decodeSign1(fromHex(p.payload));
    const r = cose.ok ? decodeReading(cose.parts.payload) : undefined;
    if (!r?.ok) throw new Error('undecodable reading');
    return r.reading;
  });
  t.true(seqs.slice(0, stored.depth).every((r) => r.flags.backfilled), 'the stored readings go out first, marked backfilled');
  t.true(seqs.length >= stored.depth + 1);
  t.true(sent > 0);
});

test.serial('the bundle sets the device window when it is evaluated (preload time on the device), not at boot', async (t) => {
  // A fresh worker: nothing but loading the bundle chose the window. XS meter units are deterministic counts of
  // work, so the path noble takes shows in them: W=1 (fixed-window, no table) costs far more per signature than W=6.
  const fresh = await startXsCore({ name: 'xs-device-window' });
  try {
    const key = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
    await fresh.call('partsSetup', { secretKey: key });
    const atLoad = (await fresh.call('partSign', { count: 2 })).meter.compute;
    await fresh.call('setWindow', { window: 6 });
    await fresh.call('partSign', { count: 1 }); // builds the W=6 table
    const w6 = (await fresh.call('partSign', { count: 2 })).meter.compute;
    await fresh.call('setWindow', { window: 1 });
    const w1 = (await fresh.call('partSign', { count: 2 })).meter.compute;
    t.true(Math.abs(atLoad - w1) / w1 < 0.02, `signing right after load costs ${atLoad}, W=1 costs ${w1}`);
    t.true(atLoad > 2 * w6, `W=6 (${w6}) must be much cheaper: the load did not leave noble's default W=6`);
  } finally {
    await fresh.close();
  }
});

test.serial('a device online for hours keeps a constant heap in XS (no growth per reading, across outbox sector wraps)', async (t) => {
  const worker = await startXsCore({ name: 'xs-device-heap' });
  try {
    const step = async (op: string, args: object = {}) => (await worker.call<Summary>(op, args)).result;
    await step('deviceBoard', { sectors: 4 }); // 4 sectors: the ring wraps every ~80 readings
    await step('deviceBoot', { config, sntpSeconds: BUILT + 3600, keepBoard: true });
    await step('deviceOnline');
    await step('deviceAdvance', { ms: 2 * 3600_000 });
    await step('devicePublished');
    const warm = await worker.heap();
    const after = await step('deviceAdvance', { ms: 4 * 3600_000 });
    await step('devicePublished');
    const later = await worker.heap();
    t.true(after.stats.signed >= 350, `${after.stats.signed} readings`);
    t.is(after.depth, 0);
    t.is(later.slots, warm.slots, 'slots after 2 h and after 6 h');
    t.is(later.chunkBytes, warm.chunkBytes, 'chunk bytes after 2 h and after 6 h');
  } finally {
    await worker.close();
  }
});
