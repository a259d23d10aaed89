// manifest.json (top level) against what `npm run build:firmware` produces: mcconfig must find every module it
// names, the preloaded bundle must be the one the XS test runs, each supported board has a `creation` sized for
// it, other targets fail with a clear error, and the partition table holds the outbox partition the config names.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PINS, parseDeviceConfig } from '../../../../hosts/esp32/device-config.js';
import { BUILD_INFO_OUTPUT, buildDeviceMain, buildFirmware, DEVICE_MAIN_IMPORTS, FIRMWARE_OUTPUT, REPO_ROOT } from '../../../../tools/build-firmware.js';
import { BOARDS } from '../../../../hosts/esp32/boards.js';

interface Platform {
  build?: Record<string, string>;
  modules?: Record<string, string | string[]>;
  creation?: { chunk: { initial: number }; heap: { initial: number }; stack: number };
  error?: string;
}
interface Manifest {
  build: Record<string, string>;
  include: string[];
  modules: Record<string, string | string[]>;
  preload: string[];
  platforms: Record<string, Platform>;
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'manifest.json'), 'utf8')) as Manifest;
const local = (path: string) => join(REPO_ROOT, path);
const paths = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
let mainImports: string[] = [];

test.before(async () => {
  const core = await buildFirmware();
  mainImports = (await buildDeviceMain(core)).imports;
});

test('every local module path the manifest names exists after build:firmware (as .js, or .js and .c for native code)', (t) => {
  const all = [manifest.modules, ...Object.values(manifest.platforms).map((p) => p.modules ?? {})];
  let checked = 0;
  for (const modules of all) {
    for (const [name, value] of Object.entries(modules)) {
      for (const path of paths(value)) {
        if (!path.startsWith('./')) continue;
        t.true(existsSync(local(`${path}.js`)), `${name}: ${path}.js`);
        if (name === 'fieldproof/system') t.true(existsSync(local(`${path}.c`)), `${name}: ${path}.c`);
        checked++;
      }
    }
  }
  t.true(checked >= 3);
  t.true(existsSync(local(BUILD_INFO_OUTPUT)));
});

test('the preloaded core is the bundle the XS test runs, and main is not preloaded (it starts the device)', (t) => {
  t.is(manifest.modules['fieldproof-core'], `./${FIRMWARE_OUTPUT.replace(/\.js$/, '')}`);
  t.deepEqual(manifest.preload, ['fieldproof-core']);
  t.is(manifest.modules['*'], './dist/firmware/main');
});

test('what the device main imports from this repository is mapped by the manifest on every supported board', (t) => {
  const ours = mainImports.filter((name) => name.startsWith('fieldproof'));
  t.deepEqual(ours.sort(), ['fieldproof-core', 'fieldproof/system', 'fieldproof/tlssocket']);
  for (const [board, platform] of Object.entries(manifest.platforms)) {
    if (board === '...') continue;
    for (const name of ours) t.truthy(manifest.modules[name] ?? platform.modules?.[name], `${board}: ${name}`);
  }
  t.true(mainImports.every((name) => DEVICE_MAIN_IMPORTS.includes(name)));
});

test('platforms: esp32/nodemcu, at least one more ESP32 board, and "..." failing with an error', (t) => {
  const boards = Object.keys(manifest.platforms).filter((k) => k !== '...');
  t.true(boards.includes('esp32/nodemcu'));
  t.true(boards.filter((b) => b.startsWith('esp32/')).length >= 2);
  t.regex(manifest.platforms['...']?.error ?? '', /not supported/);
  t.deepEqual(boards.sort(), Object.keys(BOARDS).sort(), 'every board in the manifest has pins in hosts/esp32/boards.ts and back');
});

test('each board has a creation: chunk and slot heap sized, nodemcu at its XS budget', (t) => {
  for (const [board, platform] of Object.entries(manifest.platforms)) {
    if (board === '...') continue;
    const c = platform.creation!;
    t.true(c.chunk.initial >= 65_536 && c.heap.initial >= 4096 && c.stack >= 384, board);
  }
  t.like(manifest.platforms['esp32/nodemcu']!.creation, { chunk: { initial: 78_848 }, heap: { initial: 4928 } });
});

test('the partition table has the outbox partition the config defaults to, sector-aligned and not overlapping', (t) => {
  const file = manifest.build.PARTITIONS_FILE!;
  const rows = readFileSync(local(file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split(',').map((c) => c.trim()));
  const parts = rows.map(([name, type, subtype, offset, size]) => ({ name: name!, type, subtype, offset: Number(offset), size: Number(size) }));
  const outboxName = parseDeviceConfig({ v: 1, wifiSsid: 'x', wifiPassword: '', broker: 'mqtt://b', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: 0 }).outboxPartition;
  const outbox = parts.find((p) => p.name === outboxName);
  t.truthy(outbox);
  t.is(outbox!.offset % 4096, 0);
  t.is(outbox!.size % 4096, 0);
  t.true(outbox!.size / 4096 >= 3);
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) t.true(sorted[i - 1]!.offset + sorted[i - 1]!.size <= sorted[i]!.offset, `${sorted[i - 1]!.name} overlaps ${sorted[i]!.name}`);
  t.true(sorted.at(-1)!.offset + sorted.at(-1)!.size <= 4 * 1024 * 1024, 'fits a 4 MB flash');
  t.truthy(parts.find((p) => p.subtype === 'nvs_keys'));
  for (const platform of Object.values(manifest.platforms)) {
    if (platform.build?.SDKCONFIGPATH) t.true(existsSync(local(`${platform.build.SDKCONFIGPATH}/sdkconfig.defaults`)));
  }
});

test('the nodemcu pins of the board table are the config defaults', (t) => {
  t.deepEqual(BOARDS['esp32/nodemcu']!.pins, DEFAULT_PINS);
});
