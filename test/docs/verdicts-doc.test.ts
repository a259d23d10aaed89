import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REASONS } from '../../src/verifier/reasons.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/VERDICTS.md', import.meta.url)), 'utf8');

test('every verdict reason code is documented, and the doc lists no other', (t) => {
  const documented = [...doc.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
  t.deepEqual(documented, Object.keys(REASONS).sort());
});
