// src/core ships to the ESP32 under XS: no Node or browser API may creep in. The core is also type-checked
// without Node's types (src/core/tsconfig.json); this scan catches what types cannot (globals via any, etc.).
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const coreDir = fileURLToPath(new URL('../../../src/core/', import.meta.url));
const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));

const forbidden: [RegExp, string][] = [
  [/from ['"]node:/, 'node: import'],
  [/from ['"](fs|path|os|crypto|net|events|stream|buffer|util|child_process|mqtt|better-sqlite3|pg)['"]/, 'Node or service module'],
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\./, 'process'],
  [/\brequire\(/, 'require()'],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\s*\(/, 'timer global (use the Timer interface)'],
  [/\bnew (TextEncoder|TextDecoder)\b/, 'TextEncoder/TextDecoder (not in XS by default)'],
  [/\b(window|document|globalThis\.crypto|crypto\.getRandomValues)\b/, 'browser API'],
  [/\bDate\.now\(|new Date\(/, 'wall clock (use the Clock interface)'],
  [/\bMath\.random\(/, 'Math.random (use the Rng interface)'],
];

test('the portable core uses no Node, browser or ambient host API', (t) => {
  t.true(files.length > 10);
  const hits: string[] = [];
  for (const file of files) {
    const lines = readFileSync(join(coreDir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\/\*|\*)/.test(line)) return; // comments may name what they avoid
      for (const [re, what] of forbidden) if (re.test(line)) hits.push(`${file}:${i + 1} ${what}: ${line.trim()}`);
    });
  }
  t.deepEqual(hits, []);
});

test('the core imports only its own modules and the device libraries', (t) => {
  const allowed = new Set(['@noble/curves/ed25519.js', '@noble/hashes/sha2.js', 'cbor-x']);
  const bad: string[] = [];
  for (const file of files) {
    for (const m of readFileSync(join(coreDir, file), 'utf8').matchAll(/from ['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (!spec.startsWith('./') && !allowed.has(spec)) bad.push(`${file}: ${spec}`);
    }
  }
  t.deepEqual(bad, []);
});
