// manifest.json is the Moddable app manifest (documentation/tools/manifest.md in the Moddable SDK).
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}manifest.json`, 'utf8'));

test('names the core bundle as a preloaded module, at the path build:firmware writes', (t) => {
  const path = manifest.modules['fieldproof-core'];
  t.is(path, './dist/firmware/fieldproof-core');
  t.true(manifest.preload.includes('fieldproof-core'));
  t.true(existsSync(`${root}hosts/esp32/core-bundle.ts`));
});

test('fails with a clear error on unsupported platforms', (t) => {
  t.regex(manifest.platforms['...'].error, /not supported/);
  t.truthy(manifest.platforms.esp32);
});
