import test from 'ava';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateKey } from '../../../hosts/node/key-file.js';

const dir = () => mkdtempSync(join(tmpdir(), 'fp-key-'));

test('creates a key readable only by its owner, then loads the same identity', (t) => {
  const path = join(dir(), 'key.json');
  const created = loadOrCreateKey(path, { create: true });
  t.true(created.fresh);
  t.is(statSync(path).mode & 0o777, 0o600);
  const loaded = loadOrCreateKey(path, { create: true });
  t.false(loaded.fresh);
  t.is(loaded.deviceId, created.deviceId);
  t.deepEqual(loaded.publicKey, created.publicKey);
});

test('refuses a corrupt key file and leaves it untouched', (t) => {
  for (const content of ['{not json', '{"v":1,"kind":"fieldproof-node-key","secretKey":"zz"}', '{"v":2}', '']) {
    const path = join(dir(), 'key.json');
    writeFileSync(path, content);
    t.throws(() => loadOrCreateKey(path, { create: true }), { message: /FP_E_KEY_CORRUPT.*left untouched/ });
    t.is(readFileSync(path, 'utf8'), content);
  }
});

test('refuses a key file whose public key does not match its secret', (t) => {
  const path = join(dir(), 'key.json');
  loadOrCreateKey(path, { create: true });
  const body = JSON.parse(readFileSync(path, 'utf8'));
  body.publicKey = '00'.repeat(32);
  writeFileSync(path, JSON.stringify(body));
  t.throws(() => loadOrCreateKey(path, { create: false }), { message: /does not match/ });
});

test('says so when the key is missing and creating one is not allowed', (t) => {
  t.throws(() => loadOrCreateKey(join(dir(), 'key.json'), { create: false }), { message: /FP_E_KEY_MISSING/ });
});
