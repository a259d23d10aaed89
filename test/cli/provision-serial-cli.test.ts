// `fieldproof provision-serial` as a user runs it, on a real terminal device: a pseudo-terminal (python3's pty
// module, a build requirement of this repository) stands in for the USB-serial bridge, with the firmware's
// FieldDevice on the other side and a verifier started in this process. This is the path the unit tests do not
// cover: stty on the port, node:tty streams on the opened path, and the command's exit and output.
import test from 'ava';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LineSplitter } from '../../hosts/esp32/console-protocol.js';
import type { FieldDevice } from '../../hosts/esp32/field-device.js';
import { loadOrCreateKey } from '../../hosts/node/key-file.js';
import { toHex } from '../../src/core/bytes.js';
import { silentLog } from '../../src/core/host.js';
import { resolveVerifierConfig } from '../../src/verifier/verifier-config.js';
import { startVerifier, type RunningVerifier } from '../../src/verifier/verifier-service.js';
import { loadVectors } from '../helpers/vectors.js';
import { offlineDevice } from '../helpers/offline-device.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/fieldproof.js', import.meta.url));
const owner = loadVectors<{ address: string }>('eip191-personal-sign.json').vectors[0]!.address;
const root = mkdtempSync(join(tmpdir(), 'fp-provision-cli-'));
const fleetKeyFile = join(root, 'fleet-key.json');

/** Opens a pty pair; the child copies the master side to its stdout and its stdin to the master side. */
const PTY_BRIDGE = `
import os, pty, sys, select, tty
master, slave = pty.openpty()
tty.setraw(slave)
sys.stderr.write(os.ttyname(slave) + "\\n"); sys.stderr.flush()
while True:
    r, _, _ = select.select([master, 0], [], [])
    if master in r:
        try: data = os.read(master, 4096)
        except OSError: break
        if not data: break
        os.write(1, data)
    if 0 in r:
        data = os.read(0, 4096)
        if not data: break
        os.write(master, data)
`;

let verifier: RunningVerifier;
let bridge: ChildProcessWithoutNullStreams | undefined;

test.before(async () => {
  const fleet = loadOrCreateKey(fleetKeyFile, { create: true, kind: 'fieldproof-fleet-key' });
  const config = resolveVerifierConfig({ dataDir: join(root, 'verifier'), brokerPort: 0, httpPort: 0, trustedFleetKeys: [toHex(fleet.publicKey)], autoClose: false });
  verifier = await startVerifier(config, silentLog);
});
test.after.always(async () => {
  bridge?.kill();
  await verifier?.stop();
});

/** A device on a pseudo-terminal; resolves with the path the command opens. */
function deviceOnPty(): Promise<{ path: string; device: FieldDevice }> {
  const child = spawn('python3', ['-c', PTY_BRIDGE], { stdio: ['pipe', 'pipe', 'pipe'] });
  bridge = child;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stderr.once('data', (chunk: Buffer) => {
      const path = chunk.toString().trim();
      const device = offlineDevice({
        rng: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff),
        print: (line) => child.stdin.write(`${line}\r\n`),
        build: Uint8Array.of(9, 9),
      });
      const lines = new LineSplitter((line) => device.consoleLine(line));
      child.stdout.on('data', (data: Buffer) => lines.push(new Uint8Array(data)));
      device.start();
      resolve({ path, device });
    });
  });
}

test('provision-serial on a terminal device: reads the banner, the device signs the claim, the verifier registers it', async (t) => {
  if (process.platform === 'win32') return t.pass('no pseudo-terminals on Windows');
  const { path, device } = await deviceOnPty();
  const { stdout } = await run(
    process.execPath,
    [bin, 'provision-serial', '--port', path, '--fleet-key', fleetKeyFile, '--verifier', verifier.httpUrl, '--owner', owner, '--lat', '47.37', '--lon', '8.54', '--timeout', '15'],
    { timeout: 60_000 },
  );
  const id = device.banner!.deviceId;
  t.regex(stdout, new RegExp(`^device ${id}, public key ${device.banner!.publicKey}`, 'm'));
  t.regex(stdout, new RegExp(`^registered ${id} for 0x`, 'm'));
  const record = (await (await fetch(`${verifier.httpUrl}/v1/devices/${id}`)).json()) as { model: string; sensorKinds: string[] };
  t.like(record, { model: 'esp32-bme280', sensorKinds: ['bme280'] });
});

test('provision-serial on a path that is not a terminal fails with FP_E_SERIAL_PORT, naming the path', async (t) => {
  const error = await run(process.execPath, [bin, 'provision-serial', '--port', fleetKeyFile, '--no-stty', '--fleet-key', fleetKeyFile, '--verifier', verifier.httpUrl, '--owner', owner, '--lat', '1', '--lon', '2'], { timeout: 30_000 }).then(
    () => undefined,
    (e: { code: number; stderr: string }) => e,
  );
  t.is(error?.code, 2);
  t.regex(error?.stderr ?? '', /FP_E_SERIAL_PORT: .*fleet-key\.json is not a terminal device/);
});
