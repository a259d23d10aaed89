// Bench provisioning over the serial console, end to end: a device (the firmware's FieldDevice on Node, its console
// on in-memory streams, with ESP-IDF boot chatter and chunked output) and a verifier started in-process.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { LineSplitter } from '../../hosts/esp32/console-protocol.js';
import { ConsoleReader, provisionOverSerial, type SerialConsole } from '../../src/cli/provision-serial.js';
import { toHex } from '../../src/core/bytes.js';
import { FieldproofError } from '../../src/core/errors.js';
import { silentLog } from '../../src/core/host.js';
import { createNobleSigner } from '../../src/core/signer.js';
import { normaliseAddress } from '../../src/verifier/registry/evm-account.js';
import { resolveVerifierConfig } from '../../src/verifier/verifier-config.js';
import { startVerifier, type RunningVerifier } from '../../src/verifier/verifier-service.js';
import { loadVectors } from '../helpers/vectors.js';
import { offlineDevice } from '../helpers/offline-device.js';

const FLEET_SECRET = new Uint8Array(32).fill(31);
const fleet = createNobleSigner(FLEET_SECRET);
const owner = loadVectors<{ address: string }>('eip191-personal-sign.json').vectors[0]!.address;
const BOOT_NOISE = '\x00\xff garbage\r\nets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nI (29) boot: ESP-IDF v5.1\r\n';

let verifier: RunningVerifier;
test.before(async () => {
  const config = resolveVerifierConfig({ dataDir: mkdtempSync(join(tmpdir(), 'fp-provision-serial-')), brokerPort: 0, httpPort: 0, trustedFleetKeys: [toHex(fleet.publicKey)], autoClose: false });
  verifier = await startVerifier(config, silentLog);
});
test.after.always(async () => {
  await verifier?.stop();
});

/** A device on the bench: the firmware composition, its console on two streams; output arrives in small chunks. */
function benchDevice(options: { silent?: boolean; rngSeed?: number } = {}) {
  const fromDevice = new PassThrough();
  const toDevice = new PassThrough();
  let seed = options.rngSeed ?? 7;
  const print = (line: string) => {
    const text = `${line}\r\n`;
    for (let i = 0; i < text.length; i += 7) fromDevice.write(text.slice(i, i + 7));
  };
  const device = offlineDevice({
    rng: (n) => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24),
    print: options.silent ? () => {} : print,
    build: Uint8Array.of(1, 2, 3, 4),
  });
  const splitter = new LineSplitter((line) => device.consoleLine(line));
  toDevice.on('data', (chunk: Buffer) => splitter.push(new Uint8Array(chunk)));
  fromDevice.write(BOOT_NOISE);
  device.start();
  const console: SerialConsole = { input: fromDevice, output: toDevice, close: () => fromDevice.end() };
  return { device, console };
}

test.serial('reads the key from the console, attests, has the device sign the claim, and the verifier registers it', async (t) => {
  const { device, console } = benchDevice();
  const result = await provisionOverSerial({ console, fleetSecretKey: FLEET_SECRET, verifier: verifier.httpUrl, owner, lat: 47.37, lon: 8.54, model: 'esp32-bme280', sensorKinds: ['bme280'], timeoutMs: 5000 });
  t.is(result.banner.deviceId, device.banner!.deviceId);
  const record = (await (await fetch(`${verifier.httpUrl}/v1/devices/${device.banner!.deviceId}`)).json()) as { owner: string; model: string; publicKey: string };
  t.is(record.owner, normaliseAddress(owner)!);
  t.is(record.model, 'esp32-bme280');
});

test.serial('the same device again is refused by the verifier as already registered', async (t) => {
  const { console } = benchDevice({ rngSeed: 99 });
  await provisionOverSerial({ console, fleetSecretKey: FLEET_SECRET, verifier: verifier.httpUrl, owner, lat: 1, lon: 2, model: 'esp32-bme280', sensorKinds: ['bme280'], timeoutMs: 5000 });
  const again = benchDevice({ rngSeed: 99 });
  const error = await t.throwsAsync(
    provisionOverSerial({ console: again.console, fleetSecretKey: FLEET_SECRET, verifier: verifier.httpUrl, owner, lat: 1, lon: 2, model: 'esp32-bme280', sensorKinds: ['bme280'], timeoutMs: 5000 }),
    { instanceOf: FieldproofError },
  );
  t.is(error!.code, 'FP_E_REGISTRATION_REFUSED');
  t.regex(error!.message, /device_exists/);
});

test.serial('a fleet key the verifier does not trust is refused as attestation_untrusted', async (t) => {
  const { console } = benchDevice({ rngSeed: 5 });
  const error = await t.throwsAsync(provisionOverSerial({ console, fleetSecretKey: new Uint8Array(32).fill(9), verifier: verifier.httpUrl, owner, lat: 1, lon: 2, model: 'm', sensorKinds: ['bme280'], timeoutMs: 5000 }));
  t.regex(error!.message, /FP_E_REGISTRATION_REFUSED: registration refused: attestation_untrusted/);
});

test.serial('a silent device times out with FP_E_DEVICE_TIMEOUT quoting the last console output', async (t) => {
  const { console } = benchDevice({ silent: true });
  const error = await t.throwsAsync(provisionOverSerial({ console, fleetSecretKey: FLEET_SECRET, verifier: verifier.httpUrl, owner, lat: 1, lon: 2, model: 'm', sensorKinds: ['bme280'], timeoutMs: 300 }), { instanceOf: FieldproofError });
  t.is(error!.code, 'FP_E_DEVICE_TIMEOUT');
  t.regex(error!.message, /no FP1 DEVICE line .*ESP-IDF v5\.1/);
});

test('the reader skips noise and waits across chunks; an ERROR line from the device is reported', async (t) => {
  const input = new PassThrough();
  const reader = new ConsoleReader(input);
  input.write('noise\r\nFP1 ERR');
  setTimeout(() => input.write('OR claim_closed claims are signed only early\r\n'), 20);
  const error = await t.throwsAsync(reader.next((m): m is never => false, 2000, 'anything'));
  t.regex(error!.message, /claim_closed: claims are signed only early/);
});

test('a console that ends is FP_E_SERIAL_PORT, not a hang', async (t) => {
  const input = new PassThrough();
  const reader = new ConsoleReader(input);
  input.end('FP1 HEL');
  const error = await t.throwsAsync(reader.next((m): m is never => false, 5000, 'FP1 DEVICE line'), { instanceOf: FieldproofError });
  t.is(error!.code, 'FP_E_SERIAL_PORT');
});
