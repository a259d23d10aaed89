// `fieldproof flash`: the build manifest and mcconfig command it generates, and what it says when the Moddable
// SDK or ESP-IDF is missing (run with PATH and the SDK variables pointing at nothing).
import test from 'ava';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BOARDS } from '../../hosts/esp32/boards.js';
import { parseDeviceConfig } from '../../hosts/esp32/device-config.js';
import { CA_RESOURCE, findToolchain, INSTALL_HINT, planFlash, type FlashOptions } from '../../src/cli/flash-command.js';
import { FieldproofError } from '../../src/core/errors.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/fieldproof.js', import.meta.url));
const repoManifest = fileURLToPath(new URL('../../../manifest.json', import.meta.url));
const caPem = fileURLToPath(new URL('../../../test/vectors/broker-ca.pem', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fp-flash-'));
const base: FlashOptions = { board: 'esp32/nodemcu', wifiSsid: 'bench', wifiPassword: 'correct horse', broker: 'mqtt://10.0.0.2', interval: 60, sensors: 'bme280', out: join(root, 'plan') };

test('the plan: a manifest that includes ours and carries the node config, and mcconfig -m -p <board> without -d', (t) => {
  const now = Date.UTC(2026, 10, 25);
  const plan = planFlash(base, now);
  t.deepEqual(plan.command, ['mcconfig', '-m', '-p', 'esp32/nodemcu', join(root, 'plan', 'manifest.json')]);
  t.deepEqual(plan.manifest.include, [repoManifest]);
  const config = parseDeviceConfig(JSON.parse((plan.manifest.config as { fieldproof: string }).fieldproof));
  t.like(config, { wifiSsid: 'bench', broker: 'mqtt://10.0.0.2', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: now / 1000 - 86_400 });
  t.deepEqual(config.pins, BOARDS['esp32/nodemcu']!.pins);
  t.deepEqual(plan.env, {});
});

test('--debug adds -d; --port sets UPLOAD_PORT; the board decides the pins and a --config file overrides them', (t) => {
  const file = join(root, 'extra.json');
  writeFileSync(file, JSON.stringify({ pins: { sda: 4 }, outboxCapacity: 500, sensors: [{ type: 'sht4x' }] }));
  const plan = planFlash({ ...base, board: 'esp32/xiao_esp32c3', debug: true, port: '/dev/ttyACM0', config: file });
  t.deepEqual(plan.command.slice(0, 4), ['mcconfig', '-d', '-m', '-p']);
  t.is(plan.command[4], 'esp32/xiao_esp32c3');
  t.deepEqual(plan.env, { UPLOAD_PORT: '/dev/ttyACM0' });
  const config = JSON.parse((plan.manifest.config as { fieldproof: string }).fieldproof);
  t.like(config.pins, { sda: 4, scl: 7, button: 9, led: -1 });
  t.is(config.outboxCapacity, 500);
  t.deepEqual(config.sensors, [{ type: 'sht4x' }]);
});

test('a TLS CA in PEM becomes a DER resource the config names', (t) => {
  const plan = planFlash({ ...base, broker: 'mqtts://broker.example.org', tlsCa: caPem });
  t.deepEqual(plan.caDer, new Uint8Array(new X509Certificate(readFileSync(caPem)).raw));
  t.is(JSON.parse((plan.manifest.config as { fieldproof: string }).fieldproof).tlsCa, CA_RESOURCE);
  t.deepEqual(plan.manifest.data, { '*': [join(root, 'plan', 'fieldproof-ca')] });
});

test('bad options are refused by name before anything is written', (t) => {
  t.throws(() => planFlash({ ...base, board: 'esp8266/nodemcu' }), { instanceOf: RangeError, message: /--board: one of esp32\/nodemcu/ });
  t.throws(() => planFlash({ ...base, sensors: 'bme280,dht22' }), { message: /--sensors: dht22/ });
  t.throws(() => planFlash({ ...base, broker: 'http://x' }), { message: /FP_E_CONFIG_INVALID: config.broker/ });
  t.throws(() => planFlash({ ...base, tlsCa: caPem }), { message: /config.tlsCa: only with an mqtts/ });
  t.throws(() => planFlash({ ...base, broker: 'mqtts://b.example' }), { message: /config.tlsCa: required with an mqtts/ });
  t.throws(() => planFlash({ ...base, broker: 'mqtts://b.example', tlsCa: bin }), { message: /--tls-ca: .* is not a PEM or DER X.509 certificate/ });
});

test('without the Moddable SDK the error says exactly what to install', (t) => {
  const error = t.throws(() => findToolchain({ PATH: join(root, 'nothing') }), { instanceOf: FieldproofError });
  t.is(error!.code, 'FP_E_TOOLCHAIN_MISSING');
  t.true(error!.message.includes(INSTALL_HINT));
  t.regex(error!.message, /MODDABLE is not set/);
});

test('with mcconfig but no ESP-IDF the error names IDF_PATH and the same install command', (t) => {
  const moddable = join(root, 'moddable');
  const binDir = join(moddable, 'build', 'bin', 'lin', 'release');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(binDir, 'mcconfig'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(binDir, 'mcconfig'), 0o755);
  const error = t.throws(() => findToolchain({ PATH: join(root, 'nothing'), MODDABLE: moddable }), { instanceOf: FieldproofError });
  t.regex(error!.message, /ESP-IDF is not installed .*IDF_PATH is not set/);
  t.true(error!.message.includes(INSTALL_HINT));
  const idf = join(root, 'idf');
  mkdirSync(join(idf, 'tools'), { recursive: true });
  writeFileSync(join(idf, 'tools', 'idf.py'), '');
  if (process.platform === 'linux') t.is(findToolchain({ PATH: '', MODDABLE: moddable, IDF_PATH: idf }).mcconfig, join(binDir, 'mcconfig'));
});

test('the command: --dry-run writes the manifest (owner-only) and prints the mcconfig line; without --dry-run and no SDK it exits with the install hint', async (t) => {
  const out = join(root, 'cli');
  const env = { PATH: dirname(process.execPath), HOME: root };
  const args = [bin, 'flash', '--wifi-ssid', 'bench', '--wifi-password', 'correct horse', '--broker', 'mqtt://10.0.0.2', '--out', out];
  const dry = await run(process.execPath, [...args, '--dry-run'], { env, timeout: 60_000 });
  t.regex(dry.stdout, new RegExp(`^mcconfig -m -p esp32/nodemcu ${out.replace(/[/\\]/g, '.')}/manifest.json$`, 'm'));
  t.true(existsSync(join(out, 'manifest.json')));
  if (process.platform !== 'win32') t.is(statSync(join(out, 'manifest.json')).mode & 0o077, 0);
  const failed = await run(process.execPath, args, { env, timeout: 60_000 }).then(
    () => undefined,
    (e: { code: number; stderr: string }) => e,
  );
  t.is(failed?.code, 2);
  t.regex(failed?.stderr ?? '', /FP_E_TOOLCHAIN_MISSING: the Moddable SDK is not installed/);
  t.true((failed?.stderr ?? '').includes(INSTALL_HINT));
});
