// `fieldproof provision-serial`: onboarding of a device on the bench over its serial console, in one step.
//   1. read the device's FP1 DEVICE line (its public key and id; asks with FP1 HELLO in case the boot banner passed),
//   2. sign the manufacturer attestation with the fleet key (as `fieldproof provision` does),
//   3. get a nonce from the verifier and have the device sign the ownership claim over it (FP1 CLAIM -> FP1 CLAIMED),
//   4. register attestation and claim with the verifier (as `fieldproof register` does).
// The device's secret key never leaves it: the claim is its proof of possession. Line protocol:
// hosts/esp32/console-protocol.ts. The port is a plain path opened with node:fs (a tty: stty sets 115200 8N1 raw),
// so no native serial library is needed; any pair of streams works (the tests use in-memory ones).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { isatty, ReadStream as TtyReadStream, WriteStream as TtyWriteStream } from 'node:tty';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { formatClaimRequest, LineSplitter, parseConsoleLine, type ConsoleMessage, type DeviceBanner } from '../../hosts/esp32/console-protocol.js';
import { readKey } from '../../hosts/node/key-file.js';
import { createNativeSigner } from '../../hosts/node/native-signer.js';
import { createSodiumVerifier } from '../../hosts/node/sodium-verifier.js';
import { fromHex, toHex } from '../core/bytes.js';
import { FieldproofError } from '../core/errors.js';
import { signAttestation } from '../verifier/registry/attestation.js';
import { normaliseAddress } from '../verifier/registry/evm-account.js';
import { checkOwnershipClaim } from '../verifier/registry/ownership-claim.js';
import { requestNonce, submitRegistration, type RegisteredDevice } from './verifier-client.js';

export interface SerialConsole {
  input: Readable;
  output: Writable;
  close(): void;
}

/** Reads FP1 messages from a console stream; everything else on the line is ignored. */
export class ConsoleReader {
  readonly #queue: ConsoleMessage[] = [];
  #waiter: (() => void) | undefined;
  #ended: Error | undefined;
  /** Lines seen that were not FP1 messages (boot output), for error messages. */
  readonly noise: string[] = [];

  constructor(input: Readable) {
    const splitter = new LineSplitter((line) => {
      const message = parseConsoleLine(line);
      if (message) this.#queue.push(message);
      else if (line.trim()) {
        this.noise.push(line);
        if (this.noise.length > 20) this.noise.shift();
      }
      this.#waiter?.();
    });
    input.on('data', (chunk: Buffer | string) => splitter.push(typeof chunk === 'string' ? chunk : new Uint8Array(chunk)));
    const end = (error?: Error) => {
      this.#ended = error ?? new Error('the console stream ended');
      this.#waiter?.();
    };
    input.once('end', () => end());
    input.once('error', (error) => end(error));
  }

  /** The next message accepted by `want`, or FP_E_DEVICE_TIMEOUT after `timeoutMs`. Messages not wanted are dropped. */
  async next<T extends ConsoleMessage>(want: (m: ConsoleMessage) => m is T, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#queue.length > 0) {
        const message = this.#queue.shift()!;
        if (want(message)) return message;
        if (message.kind === 'error') throw new FieldproofError('FP_E_DEVICE_TIMEOUT', `the device answered ${message.code}: ${message.text}`);
      }
      if (this.#ended) throw new FieldproofError('FP_E_SERIAL_PORT', `${this.#ended.message} while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.noise.length ? ` (last console output: ${JSON.stringify(this.noise.at(-1))})` : ' (nothing on the console)';
        throw new FieldproofError('FP_E_DEVICE_TIMEOUT', `no ${what} from the device within ${timeoutMs < 10_000 ? (timeoutMs / 1000).toFixed(1) : Math.round(timeoutMs / 1000)} s${seen}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          this.#waiter = undefined;
          resolve();
        };
      });
    }
  }
}

export interface ProvisionSerialOptions {
  console: SerialConsole;
  fleetSecretKey: Uint8Array;
  verifier: string;
  owner: string;
  lat: number;
  lon: number;
  model: string;
  sensorKinds: string[];
  /** Per wait (banner, claim), ms. Default 30000. */
  timeoutMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface ProvisionSerialResult {
  banner: DeviceBanner;
  attestation: Uint8Array;
  claim: Uint8Array;
  registered: RegisteredDevice;
}

export async function provisionOverSerial(o: ProvisionSerialOptions): Promise<ProvisionSerialResult> {
  const owner = normaliseAddress(o.owner);
  if (!owner) throw new TypeError('owner: an EVM address (0x + 40 hex)');
  if (!(Math.abs(o.lat) <= 90) || !(Math.abs(o.lon) <= 180)) throw new RangeError('lat/lon: -90..90 and -180..180 degrees');
  const timeoutMs = o.timeoutMs ?? 30_000;
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => {});
  const reader = new ConsoleReader(o.console.input);
  const send = (line: string) => o.console.output.write(`${line}\r\n`);

  send('FP1 HELLO');
  const { banner } = await reader.next((m): m is Extract<ConsoleMessage, { kind: 'device' }> => m.kind === 'device', timeoutMs, 'FP1 DEVICE line');
  log(`device ${banner.deviceId}, public key ${banner.publicKey}, firmware ${banner.firmwareVersion} (${banner.firmwareBuild})`);
  const publicKey = fromHex(banner.publicKey);

  const attestation = signAttestation(createNativeSigner(o.fleetSecretKey), { publicKey, model: o.model, sensorKinds: o.sensorKinds }, Math.floor(now() / 1000));
  const nonce = await requestNonce(o.verifier);
  send(formatClaimRequest({ owner, nonce, latE6: Math.round(o.lat * 1e6), lonE6: Math.round(o.lon * 1e6), signedAt: Math.floor(now() / 1000) }));
  const { claim } = await reader.next((m): m is Extract<ConsoleMessage, { kind: 'claimed' }> => m.kind === 'claimed', timeoutMs, 'FP1 CLAIMED answer');
  // Check before sending, as the verifier will check it: a claim signed by another key (a different device on the
  // port) is caught here.
  const check = checkOwnershipClaim(claim, publicKey, createSodiumVerifier());
  if (!check.ok || check.claim.nonce !== nonce) throw new FieldproofError('FP_E_DEVICE_TIMEOUT', `the device's claim does not check: ${check.ok ? 'wrong nonce' : check.detail}`);
  const registered = await submitRegistration(o.verifier, attestation, claim);
  log(`registered ${registered.deviceId} for ${owner}`);
  return { banner, attestation, claim, registered };
}

/** Open a serial device by path: stty sets the line (115200 8N1, raw, no echo), then tty streams read and write it. */
export function openSerialPort(path: string, options: { baud?: number; stty?: boolean } = {}): SerialConsole {
  const baud = options.baud ?? 115_200;
  if (options.stty !== false) {
    try {
      execFileSync('stty', [process.platform === 'darwin' ? '-f' : '-F', path, String(baud), 'cs8', '-cstopb', '-parenb', 'raw', '-echo'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new FieldproofError('FP_E_SERIAL_PORT', `cannot set up ${path} at ${baud} baud: ${stderr || (error as Error).message} (use --no-stty if the port is already set)`);
    }
  }
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    throw new FieldproofError('FP_E_SERIAL_PORT', `cannot open ${path}: ${(error as Error).message}`);
  }
  if (!isatty(fd)) {
    closeSync(fd);
    throw new FieldproofError('FP_E_SERIAL_PORT', `${path} is not a terminal device (a serial port is /dev/ttyUSB*, /dev/ttyACM* or /dev/cu.*)`);
  }
  const input = new TtyReadStream(fd);
  const output = new TtyWriteStream(fd);
  return {
    input,
    output,
    close() {
      input.destroy();
      output.destroy();
    },
  };
}

export function registerProvisionSerial(program: Command): void {
  program
    .command('provision-serial')
    .description('onboard a device on the bench over its serial console: read its key, attest it with the fleet key, have it sign the claim, register it')
    .requiredOption('--port <device>', 'serial port of the device, e.g. /dev/ttyUSB0 (release firmware; 115200 baud)')
    .requiredOption('--fleet-key <file>', 'fleet key file (fieldproof fleet init)')
    .requiredOption('--verifier <url>', 'verifier HTTP URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--owner <address>', 'payout address (0x + 40 hex)')
    .requiredOption('--lat <deg>', 'latitude of the site', Number)
    .requiredOption('--lon <deg>', 'longitude of the site', Number)
    .option('--sensors <kinds>', 'comma-separated sensor kinds fitted', 'bme280')
    .option('--model <model>', 'device model (default esp32-<first sensor>)')
    .option('--baud <rate>', 'console baud rate', Number, 115_200)
    .option('--timeout <seconds>', 'how long to wait for each answer of the device', Number, 30)
    .option('--no-stty', 'do not configure the port with stty (already set up)')
    .action(async (opts: { port: string; fleetKey: string; verifier: string; owner: string; lat: number; lon: number; sensors: string; model?: string; baud: number; timeout: number; stty: boolean }) => {
      const fleet = readKey(opts.fleetKey, 'fieldproof-fleet-key');
      const sensorKinds = opts.sensors.split(',').map((s) => s.trim()).filter(Boolean);
      const serial = openSerialPort(opts.port, { baud: opts.baud, stty: opts.stty });
      try {
        const result = await provisionOverSerial({
          console: serial,
          fleetSecretKey: fleet.secretKey,
          verifier: opts.verifier,
          owner: opts.owner,
          lat: opts.lat,
          lon: opts.lon,
          model: opts.model ?? `esp32-${sensorKinds[0] ?? 'node'}`,
          sensorKinds,
          timeoutMs: opts.timeout * 1000,
          log: (line) => process.stdout.write(`${line}\n`),
        });
        process.stdout.write(`attestation ${toHex(result.attestation)}\n`);
      } finally {
        serial.close();
      }
    });
}
