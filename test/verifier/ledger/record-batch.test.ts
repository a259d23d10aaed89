import test from 'ava';
import { RecordBatcher, type RecordItem, type RecordOutcome } from '../../../src/verifier/ledger/record-batch.js';
import { delivery } from './ledger-fixtures.js';

const stored = (items: RecordItem[]): RecordOutcome[] => items.map((item) => ({ ok: true, result: { stored: 'new', verdict: item.verdict } }));

test('calls made in one turn of the event loop reach the store as one batch, in call order', async (t) => {
  const batches: number[][] = [];
  const batcher = new RecordBatcher((items) => {
    batches.push(items.map((i) => i.verdict.seq!));
    return stored(items);
  });
  const ds = [1, 2, 3].map((seq) => delivery({ seq }));
  const results = await Promise.all(ds.map((d) => batcher.add(d.verdict, d.reading)));
  t.deepEqual(batches, [[1, 2, 3]]);
  t.deepEqual(results.map((r) => r.verdict.seq), [1, 2, 3]);
  await batcher.add(delivery({ seq: 4 }).verdict, delivery({ seq: 4 }).reading);
  t.deepEqual(batches, [[1, 2, 3], [4]]);
});

test('each caller gets its own outcome; a batch is cut at maxBatch', async (t) => {
  const sizes: number[] = [];
  const batcher = new RecordBatcher(
    (items) => {
      sizes.push(items.length);
      return items.map((item) => (item.verdict.seq! % 2 === 0 ? { ok: false, error: new Error(`no ${item.verdict.seq}`) } : { ok: true, result: { stored: 'new', verdict: item.verdict } }));
    },
    { maxBatch: 2 },
  );
  const settled = await Promise.allSettled([1, 2, 3, 4, 5].map((seq) => batcher.add(delivery({ seq }).verdict, delivery({ seq }).reading)));
  t.deepEqual(sizes, [2, 2, 1]);
  t.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
  t.is((settled[1] as PromiseRejectedResult).reason.message, 'no 2');
});

test('a store that throws fails every item of the batch, and the next batch goes on', async (t) => {
  let calls = 0;
  const batcher = new RecordBatcher((items) => {
    if (calls++ === 0) throw new Error('disk on fire');
    return stored(items);
  });
  const first = await Promise.allSettled([1, 2].map((seq) => batcher.add(delivery({ seq }).verdict, delivery({ seq }).reading)));
  t.deepEqual(first.map((s) => s.status), ['rejected', 'rejected']);
  t.is((await batcher.add(delivery({ seq: 3 }).verdict, delivery({ seq: 3 }).reading)).stored, 'new');
});

test('an asynchronous store: calls made while maxFlushes batches are in flight wait and form the next batch', async (t) => {
  const batches: number[][] = [];
  const release: (() => void)[] = [];
  const batcher = new RecordBatcher(
    async (items) => {
      batches.push(items.map((i) => i.verdict.seq!));
      await new Promise<void>((resolve) => release.push(resolve));
      return stored(items);
    },
    { maxFlushes: 1 },
  );
  const add = (seq: number) => batcher.add(delivery({ seq }).verdict, delivery({ seq }).reading);
  const a = add(1);
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(batches, [[1]]);
  const later = [add(2), add(3)];
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(batches, [[1]], 'nothing more starts while the first batch is in flight');
  let drained = false;
  const draining = batcher.drained().then(() => (drained = true));
  release.shift()!();
  await a;
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(batches, [[1], [2, 3]]);
  t.false(drained);
  release.shift()!();
  await Promise.all(later);
  await draining;
  t.true(drained);
});

test('flushNow stores what is queued at once, before the next turn of the event loop', (t) => {
  const seen: number[] = [];
  const batcher = new RecordBatcher((items) => {
    seen.push(...items.map((i) => i.verdict.seq!));
    return stored(items);
  });
  void batcher.add(delivery({ seq: 1 }).verdict, delivery({ seq: 1 }).reading);
  t.is(batcher.pending, 1);
  batcher.flushNow();
  t.deepEqual(seen, [1]);
  t.is(batcher.pending, 0);
});
