import test from 'ava';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { SEQUENCE_RECORD, SequenceAllocator, writeSequenceFloor } from '../../src/core/sequence.js';
import type { Storage } from '../../src/core/host.js';

class CountingStorage extends MemoryStorage {
  writes = 0;
  override set(name: string, value: Uint8Array): void {
    this.writes++;
    super.set(name, value);
  }
}

test('hands out strictly increasing numbers from 0 for a fresh key', (t) => {
  const seq = new SequenceAllocator(new MemoryStorage(), { fresh: true });
  t.deepEqual([seq.next(), seq.next(), seq.next()], [0, 1, 2]);
});

test('writes storage once per block, not once per reading', (t) => {
  const storage = new CountingStorage();
  const seq = new SequenceAllocator(storage, { fresh: true, blockSize: 64 });
  const atStart = storage.writes;
  for (let i = 0; i < 640; i++) seq.next();
  t.is(storage.writes - atStart, 10);
});

test('after a crash at any point it never reuses a number', (t) => {
  const storage = new MemoryStorage();
  const used = new Set<number>();
  let fresh = true;
  for (let boot = 0; boot < 50; boot++) {
    const seq = new SequenceAllocator(storage, { fresh, blockSize: 16 });
    fresh = false;
    const count = (boot * 7919) % 40; // crash after a varying number of readings
    let last = -1;
    for (let i = 0; i < count; i++) {
      const n = seq.next();
      t.false(used.has(n), `reused ${n}`);
      t.true(n > last);
      used.add(n);
      last = n;
    }
  }
});

test('persists the reservation before handing out a number from it', (t) => {
  const snapshots: number[] = [];
  const storage = new MemoryStorage();
  const watching: Storage = {
    get: (n) => storage.get(n),
    set: (n, v) => {
      storage.set(n, v);
      snapshots.push(new SequenceAllocator(storage).peekNext);
    },
  };
  const seq = new SequenceAllocator(watching, { fresh: true, blockSize: 4 });
  for (let i = 0; i < 9; i++) {
    const n = seq.next();
    t.true(snapshots[snapshots.length - 1]! > n, `number ${n} handed out before its block was stored`);
  }
});

test('refuses to start without a record for an existing key', (t) => {
  t.throws(() => new SequenceAllocator(new MemoryStorage()), { message: /FP_E_SEQ_MISSING/ });
});

test('refuses a corrupt record instead of guessing', (t) => {
  const storage = new MemoryStorage();
  storage.set(SEQUENCE_RECORD, new Uint8Array([0xff, 0x00]));
  t.throws(() => new SequenceAllocator(storage), { message: /FP_E_SEQ_CORRUPT/ });
});

test('a floor can be raised but never lowered', (t) => {
  const storage = new MemoryStorage();
  writeSequenceFloor(storage, 1000);
  writeSequenceFloor(storage, 10);
  t.is(new SequenceAllocator(storage).next(), 1000);
});
