import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOutbox } from '../../../hosts/node/file-outbox.js';
import type { Outbox } from '../../../src/core/outbox.js';
import { outboxContract } from '../../contracts/outbox-contract.js';

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'fp-outbox-')), 'outbox.log');
const msg = (seq: number) => new Uint8Array(100).fill(seq & 0xff);

outboxContract(test, 'file outbox', {
  create: (capacity) => new FileOutbox(tempPath(), { capacity }),
  reopen: (outbox: Outbox, capacity) => {
    const file = outbox as FileOutbox;
    file.close();
    return new FileOutbox(file.path, { capacity });
  },
});

test('cuts a torn last record and keeps everything before it', (t) => {
  const path = tempPath();
  const o = new FileOutbox(path, { capacity: 100 });
  for (let seq = 1; seq <= 3; seq++) o.append({ seq, message: msg(seq) });
  o.close();
  const size = statSync(path).size;
  truncateSync(path, size - 30); // kill -9 in the middle of writing record 3
  const again = new FileOutbox(path, { capacity: 100 });
  t.deepEqual(again.peek(10).map((e) => e.seq), [1, 2]);
  again.append({ seq: 4, message: msg(4) }); // the log goes on cleanly after the cut
  again.close();
  t.deepEqual(new FileOutbox(path, { capacity: 100 }).peek(10).map((e) => e.seq), [1, 2, 4]);
});

test('refuses a file damaged in the middle, and leaves it untouched', (t) => {
  const path = tempPath();
  const o = new FileOutbox(path, { capacity: 100 });
  for (let seq = 1; seq <= 3; seq++) o.append({ seq, message: msg(seq) });
  o.close();
  const bytes = readFileSync(path);
  bytes[8 + 17 + 50] ^= 0xff; // inside record 1's payload
  writeFileSync(path, bytes);
  t.throws(() => new FileOutbox(path, { capacity: 100 }), { message: /FP_E_OUTBOX_CORRUPT.*damaged at byte 8/ });
  t.deepEqual(readFileSync(path), bytes);
});

test('refuses a file that is not an outbox', (t) => {
  const path = tempPath();
  writeFileSync(path, 'hello, this is not an outbox');
  t.throws(() => new FileOutbox(path, { capacity: 10 }), { message: /FP_E_OUTBOX_CORRUPT.*bad header/ });
  t.is(readFileSync(path, 'utf8'), 'hello, this is not an outbox');
});

test('compacts dead records while keeping the live ones', (t) => {
  const path = tempPath();
  const o = new FileOutbox(path, { capacity: 10 });
  for (let seq = 1; seq <= 2000; seq++) {
    o.append({ seq, message: msg(seq) });
    if (seq % 10 !== 0) o.remove(seq);
  }
  t.true(statSync(path).size < 200 * 117 * 2, `log is ${statSync(path).size} bytes`);
  t.false(existsSync(`${path}.compact`));
  o.close();
  const again = new FileOutbox(path, { capacity: 10 });
  t.deepEqual(again.peek(20).map((e) => e.seq), [1910, 1920, 1930, 1940, 1950, 1960, 1970, 1980, 1990, 2000]);
  t.is(again.dropped, 190);
});

test('a second process cannot open an outbox in use', (t) => {
  const path = tempPath();
  const o = new FileOutbox(path, { capacity: 10 });
  writeFileSync(`${path}.lock`, '1'); // pid 1 (init) is always alive
  t.throws(() => new FileOutbox(path, { capacity: 10 }), { message: /FP_E_OUTBOX_LOCKED/ });
  o.close();
});

test('takes over the lock of a killed process', (t) => {
  const path = tempPath();
  new FileOutbox(path, { capacity: 10 }).append({ seq: 1, message: msg(1) }); // never closed: lock left behind
  writeFileSync(`${path}.lock`, '999999999'); // no such process
  const o = new FileOutbox(path, { capacity: 10 });
  t.is(o.depth, 1);
  o.close();
});

test('applies a smaller capacity on reopen by dropping the oldest', (t) => {
  const path = tempPath();
  const o = new FileOutbox(path, { capacity: 10 });
  for (let seq = 1; seq <= 6; seq++) o.append({ seq, message: msg(seq) });
  o.close();
  const again = new FileOutbox(path, { capacity: 4 });
  t.deepEqual(again.peek(10).map((e) => e.seq), [3, 4, 5, 6]);
  t.is(again.dropped, 2);
  appendFileSync(path, ''); // file still writable
  again.close();
});
