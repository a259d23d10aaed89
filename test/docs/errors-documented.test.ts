import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../src/core/errors.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/ERRORS.md', import.meta.url)), 'utf8');

test('every error code in the registry is documented, and the doc lists no other', (t) => {
  const documented = new Set([...doc.matchAll(/^\| `(FP_E_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  t.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});

test('every error code is raised somewhere in the code', (t) => {
  // Every TypeScript source of the project (not the tests): a code must appear in the registry and at least once more.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const files = ['src', 'hosts', 'tools'].flatMap((dir) => (existsSync(join(root, dir)) ? walk(join(root, dir)) : []));
  const sources = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  for (const code of Object.keys(ERROR_CODES)) {
    const uses = sources.split(code).length - 1;
    t.true(uses >= 2, `${code} is declared but never raised`);
  }
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}
