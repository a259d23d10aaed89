// The bench-side flow with the real CLI (node bin/fieldproof.js, as a user runs it): fleet init, provision a
// desktop node's key, run `fieldproof verifier` (embedded broker and HTTP on free ports, SQLite in a temp dir),
// register the node with it, and read the verifier's ledger with `rewards show` while the verifier runs.
import test from 'ava';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fromHex, toHex } from '../../src/core/bytes.js';
import { nobleVerify } from '../../src/core/signer.js';
import { loadOrCreateKey, readKey } from '../../hosts/node/key-file.js';
import { checkAttestation } from '../../src/verifier/registry/attestation.js';
import { loadVectors } from '../helpers/vectors.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/fieldproof.js', import.meta.url));
const cli = (...args: string[]) => run(process.execPath, [bin, ...args], { timeout: 20_000 });
/** A failed run: the error carries code, stdout and stderr. */
const cliFails = (...args: string[]) => cli(...args).then(
  (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
);
const owner = loadVectors<{ address: string }>('eip191-personal-sign.json').vectors[0]!.address;

const root = mkdtempSync(join(tmpdir(), 'fp-verifier-cli-'));
const fleetKeyFile = join(root, 'fleet-key.json');
const nodeDir = join(root, 'node');
const verifierDir = join(root, 'verifier');
let fleetPublicKey = '';
let nodeDeviceId = '';
let verifier: ChildProcessWithoutNullStreams | undefined;
let verifierOutput = '';
let httpUrl = '';

async function fleetInit(out: string): Promise<string> {
  const { stdout } = await cli('fleet', 'init', '--out', out);
  const m = /fleet public key: ([0-9a-f]{64})/.exec(stdout);
  if (!m) throw new Error(`fleet init printed no public key: ${stdout}`);
  return m[1]!;
}

/** Start `fieldproof verifier` on free ports; resolves with its HTTP URL from its log. */
function startVerifierCli(): Promise<string> {
  // autoClose off: the default daily epochs since 2026-01-01 would otherwise be closed a minute after start.
  const config = join(root, 'verifier.json');
  writeFileSync(config, JSON.stringify({ autoClose: false }));
  const child = spawn(process.execPath, [bin, 'verifier', '--config', config, '--data-dir', verifierDir, '--port', '0', '--broker-port', '0', '--fleet-key', fleetPublicKey]);
  verifier = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the verifier did not report its HTTP URL in 15 s:\n${verifierOutput}`)), 15_000);
    const onData = (chunk: Buffer) => {
      verifierOutput += chunk.toString();
      const m = /HTTP (http:\/\/127\.0\.0\.1:\d+)/.exec(verifierOutput);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the verifier exited with ${code}:\n${verifierOutput}`));
    });
  });
}

test.before(async () => {
  fleetPublicKey = await fleetInit(fleetKeyFile);
  // A desktop node's identity, as `fieldproof node` creates it on first start.
  nodeDeviceId = loadOrCreateKey(join(nodeDir, 'key.json'), { create: true }).deviceId;
  await cli('provision', '--fleet-key', fleetKeyFile, '--node-data-dir', nodeDir, '--model', 'esp32-bme280', '--sensors', 'bme280');
  httpUrl = await startVerifierCli();
});

test.after.always(async () => {
  if (verifier && verifier.exitCode === null && verifier.signalCode === null) {
    const exited = new Promise((resolve) => verifier!.once('exit', resolve));
    verifier.kill('SIGKILL');
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
});

// --- fleet key and provisioning

test('fleet init writes an owner-only fleet key file and prints its public key', async (t) => {
  const out = join(root, 'fleet-init', 'fleet.json');
  const printed = await fleetInit(out);
  t.is(toHex(readKey(out, 'fieldproof-fleet-key').publicKey), printed);
  t.is(statSync(out).mode & 0o777, 0o600);
});

test('fleet init refuses to overwrite an existing fleet key and leaves it as it was', async (t) => {
  const before = readFileSync(fleetKeyFile, 'utf8');
  const r = await cliFails('fleet', 'init', '--out', fleetKeyFile);
  t.is(r.code, 2);
  t.regex(r.stderr, /exists; refusing to overwrite a fleet key/);
  t.notRegex(r.stderr, /at .*\.js:\d+/);
  t.is(readFileSync(fleetKeyFile, 'utf8'), before);
});

test("provision writes attestation.hex: the fleet key's attestation of the node key, model and sensors", (t) => {
  const attestation = fromHex(readFileSync(join(nodeDir, 'attestation.hex'), 'utf8').trim());
  const checked = checkAttestation(attestation, new Set([fleetPublicKey]), nobleVerify);
  if (!checked.ok) return t.fail(`${checked.code}: ${checked.detail}`);
  t.is(checked.deviceId, nodeDeviceId);
  t.is(checked.attestation.model, 'esp32-bme280');
  t.deepEqual(checked.attestation.sensorKinds, ['bme280']);
});

test('provision prints the attestation it writes', async (t) => {
  const dir = join(root, 'node-print');
  loadOrCreateKey(join(dir, 'key.json'), { create: true });
  const { stdout } = await cli('provision', '--fleet-key', fleetKeyFile, '--node-data-dir', dir, '--model', 'esp32-bme280', '--sensors', 'bme280,pms5003');
  t.is(stdout.trim(), readFileSync(join(dir, 'attestation.hex'), 'utf8').trim());
  const checked = checkAttestation(fromHex(stdout.trim()), new Set([fleetPublicKey]), nobleVerify);
  t.true(checked.ok && checked.attestation.sensorKinds.join() === 'bme280,pms5003');
});

test('provision without a device key (no --node-data-dir, no --device-public-key) is refused', async (t) => {
  const r = await cliFails('provision', '--fleet-key', fleetKeyFile, '--model', 'esp32-bme280', '--sensors', 'bme280');
  t.is(r.code, 2);
  t.regex(r.stderr, /give --node-data-dir or --device-public-key/);
});

test('provision with a node key file as the fleet key is refused', async (t) => {
  const r = await cliFails('provision', '--fleet-key', join(nodeDir, 'key.json'), '--node-data-dir', nodeDir, '--model', 'esp32-bme280', '--sensors', 'bme280');
  t.is(r.code, 2);
  t.regex(r.stderr, /does not hold a v1 fieldproof-fleet-key/);
});

// --- against the running verifier (serial: they share its ledger, in this order)

test.serial('register: the node is registered with the running verifier, which lists it', async (t) => {
  const { stdout } = await cli('register', '--verifier', httpUrl, '--node-data-dir', nodeDir, '--owner', owner, '--lat', '47.37', '--lon', '8.54');
  t.is(stdout.trim(), `registered ${nodeDeviceId} for ${owner}`);
  const devices = (await (await fetch(`${httpUrl}/v1/devices`)).json()) as Record<string, unknown>[];
  t.is(devices.length, 1);
  t.like(devices[0], { deviceId: nodeDeviceId, owner, model: 'esp32-bme280', sensorKinds: ['bme280'], location: { lat: 47.37, lon: 8.54 }, status: 'active' });
});

test.serial('register again: refused as device_exists', async (t) => {
  const r = await cliFails('register', '--verifier', httpUrl, '--node-data-dir', nodeDir, '--owner', owner, '--lat', '47.37', '--lon', '8.54');
  t.is(r.code, 2);
  t.regex(r.stderr, /registration refused: device_exists/);
});

test.serial('register a node attested by a fleet key the verifier does not trust: refused as attestation_untrusted', async (t) => {
  const rogueKey = join(root, 'rogue-fleet.json');
  await fleetInit(rogueKey);
  const dir = join(root, 'node-rogue');
  loadOrCreateKey(join(dir, 'key.json'), { create: true });
  await cli('provision', '--fleet-key', rogueKey, '--node-data-dir', dir, '--model', 'esp32-bme280', '--sensors', 'bme280');
  const r = await cliFails('register', '--verifier', httpUrl, '--node-data-dir', dir, '--owner', owner, '--lat', '47.37', '--lon', '8.54');
  t.is(r.code, 2);
  t.regex(r.stderr, /registration refused: attestation_untrusted/);
  t.is(((await (await fetch(`${httpUrl}/v1/devices`)).json()) as unknown[]).length, 1);
});

test.serial('register a node that was never provisioned: refused before asking the verifier', async (t) => {
  const dir = join(root, 'node-unprovisioned');
  loadOrCreateKey(join(dir, 'key.json'), { create: true });
  const r = await cliFails('register', '--verifier', httpUrl, '--node-data-dir', dir, '--owner', owner, '--lat', '47.37', '--lon', '8.54');
  t.is(r.code, 2);
  t.regex(r.stderr, /attestation\.hex is missing: run fieldproof provision first/);
});

test.serial("rewards show on the running verifier's data dir prints [] (no epoch closed)", async (t) => {
  const { stdout } = await cli('rewards', 'show', '--data-dir', verifierDir);
  t.deepEqual(JSON.parse(stdout), []);
});

test.serial('the verifier stops cleanly on SIGTERM', async (t) => {
  const child = verifier!;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.is(await exited, 0);
  t.notRegex(verifierOutput, /error:/);
});
