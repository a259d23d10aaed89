// docs/PROTOCOL.md is the contract for anyone verifying readings without our code: its tables must say what
// the code does.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QUANTITIES_V1 } from '../../src/core/quantities.js';
import { KEY, FLAG } from '../../src/core/reading.js';
import { TOPIC_ROOT } from '../../src/core/topics.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/PROTOCOL.md', import.meta.url)), 'utf8');
const section = (heading: string) => {
  const start = doc.indexOf(heading);
  if (start < 0) throw new Error(`docs/PROTOCOL.md has no section "${heading}"`);
  const next = doc.indexOf('\n##', start + heading.length);
  return doc.slice(start, next < 0 ? undefined : next);
};

test('the quantities table lists exactly the codes, names, units and exponents of the code', (t) => {
  const rows = [...section('### 4.3 Quantities').matchAll(/^\|\s*(\d+)\s*\|\s*(\w+)\s*\|\s*(\S+)\s*\|\s*(-?\d+)\s*\|/gm)].map((m) => ({
    code: Number(m[1]),
    name: m[2],
    unit: m[3],
    exponent: Number(m[4]),
  }));
  t.deepEqual(rows, QUANTITIES_V1.map((q) => ({ code: q.code, name: q.name, unit: q.unit, exponent: q.exponent })));
});

test('every reason code the decoders give is documented', (t) => {
  const reasons = ['too_large', 'malformed', 'too_deep', 'non_deterministic', 'unsupported', 'wrong_type', 'not_cose_sign1', 'unsupported_alg'];
  const text = section('### 6.2 Reason codes');
  for (const r of reasons) t.true(text.includes(`\`${r}\``), r);
});

test('the CDDL names the payload keys and flag bits the code uses', (t) => {
  const cddl = /```cddl\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  t.true(cddl.length > 200);
  for (const [name, key] of Object.entries(KEY)) t.regex(cddl, new RegExp(`\\b${key}\\s*=>`), `key ${key} (${name})`);
  t.true(doc.includes(`${TOPIC_ROOT}/nodes/`));
  const flags = section('### 4.2 Flags');
  t.regex(flags, new RegExp(`^\\|\\s*0\\s*\\|\\s*${FLAG.backfilled}\\s*\\|\\s*backfilled\\s*\\|`, 'm'));
  t.regex(flags, new RegExp(`^\\|\\s*1\\s*\\|\\s*${FLAG.maintenance}\\s*\\|\\s*maintenance\\s*\\|`, 'm'));
});
