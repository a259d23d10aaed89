import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../src/core/errors.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/ERRORS.md', import.meta.url)), 'utf8');

test('every error code in the registry is documented, and the doc lists no other', (t) => {
  const documented = new Set([...doc.matchAll(/^\| `(FP_E_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  t.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});

test('every error code is raised somewhere in the code', (t) => {
  const sources = ['src/core/sequence.ts', 'src/core/errors.ts', 'hosts/node/key-file.ts', 'hosts/node/file-outbox.ts', 'hosts/node/file-storage.ts', 'hosts/node/mqtt-transport.ts', 'hosts/node/embedded-broker.ts', 'hosts/node/node-config.ts', 'src/verifier/ledger/schema.ts', 'src/verifier/ledger/sqlite-ledger.ts', 'src/verifier/ledger/pg-ledger.ts', 'hosts/esp32/device-key.ts', 'src/cli/flash-command.ts', 'src/cli/provision-serial.ts', 'src/cli/verifier-client.ts']
    .map((f) => readFileSync(fileURLToPath(new URL(`../../../${f}`, import.meta.url)), 'utf8'))
    .join('\n');
  for (const code of Object.keys(ERROR_CODES)) {
    const uses = sources.split(code).length - 1;
    t.true(uses >= 2, `${code} is declared but never raised`);
  }
});
