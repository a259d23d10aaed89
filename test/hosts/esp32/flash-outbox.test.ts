import test from 'ava';
import fc from 'fast-check';
import { FlashOutbox } from '../../../hosts/esp32/flash-outbox.js';
import type { Outbox, OutboxEntry } from '../../../src/core/outbox.js';
import { outboxContract } from '../../contracts/outbox-contract.js';
import { NorFlash, PowerCut } from './emulators/nor-flash.js';

const devices = new WeakMap<Outbox, NorFlash>();
function open(flash: NorFlash, capacity: number): FlashOutbox {
  const outbox = new FlashOutbox(flash, { capacity });
  devices.set(outbox, flash);
  return outbox;
}

outboxContract(test, 'flash outbox', {
  create: (capacity) => open(new NorFlash(8, 4096), capacity),
  reopen: (outbox, capacity) => open(devices.get(outbox)!, capacity),
});

const message = (seq: number, length: number) => Uint8Array.from({ length }, (_, i) => (seq * 31 + i * 7) & 0xff);
const snapshot = (o: Outbox) => o.peek(Number.MAX_SAFE_INTEGER).map((e) => ({ seq: e.seq, message: [...e.message] }));

type Op = { kind: 'append'; length: number } | { kind: 'remove'; pick: number } | { kind: 'reopen' };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 49 }).map((length) => ({ kind: 'append' as const, length })) },
  { weight: 3, arbitrary: fc.nat(1000).map((pick) => ({ kind: 'remove' as const, pick })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

/** Runs ops; returns the state before the op that hit the cut (or the end) and how many ops completed. */
function run(flash: NorFlash, capacity: number, ops: Op[], onBefore?: (state: ReturnType<typeof snapshot>, index: number) => void) {
  let outbox = open(flash, capacity);
  let seq = 0;
  for (let i = 0; i < ops.length; i++) {
    onBefore?.(snapshot(outbox), i);
    const op = ops[i]!;
    try {
      if (op.kind === 'append') {
        seq++;
        outbox.append({ seq, message: message(seq, op.length) });
      } else if (op.kind === 'remove') {
        const live = outbox.peek(Number.MAX_SAFE_INTEGER);
        if (live.length > 0) outbox.remove(live[op.pick % live.length]!.seq);
      } else outbox = open(flash, capacity);
    } catch (error) {
      if (error instanceof PowerCut) return { cutAt: i, outbox };
      throw error;
    }
  }
  return { cutAt: undefined, outbox };
}

let cuts = 0;
test('flash outbox: a power cut at any byte of any write or erase loses nothing that both the state before and after the interrupted operation hold, and invents nothing', (t) => {
  fc.assert(
    fc.property(
      fc.array(opArb, { minLength: 1, maxLength: 80 }),
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), // which write/erase of the run is cut
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 4, max: 40 }),
      (ops, where, at, partialBits, capacity) => {
        const flash = new NorFlash(4, 256);
        new FlashOutbox(flash, { capacity }); // format first: the cut lands in the operations below
        const before: ReturnType<typeof snapshot>[] = [];
        const counting = new NorFlash(4, 256);
        new FlashOutbox(counting, { capacity });
        const formatted = counting.programOperations;
        run(counting, capacity, ops);
        flash.arm({ operation: Math.floor(where * (counting.programOperations - formatted)), at, partialBits });
        const { cutAt } = run(flash, capacity, ops, (state) => before.push(state));
        cuts += cutAt === undefined ? 0 : 1;
        flash.restore();
        const reference = new NorFlash(4, 256);
        new FlashOutbox(reference, { capacity });
        const after = cutAt === undefined ? undefined : snapshot(run(reference, capacity, ops.slice(0, cutAt + 1)).outbox);
        const reopened = open(flash, capacity);
        const got = snapshot(reopened);
        if (cutAt === undefined) {
          t.deepEqual(got, snapshot(run(reference, capacity, ops).outbox), 'no cut: same as the reference');
          return;
        }
        const pre = new Map(before[cutAt]!.map((e) => [e.seq, e.message]));
        const post = new Map(after!.map((e) => [e.seq, e.message]));
        const seqs = got.map((e) => e.seq);
        t.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'oldest first');
        for (const e of got) {
          const expected = pre.get(e.seq) ?? post.get(e.seq);
          t.truthy(expected, `seq ${e.seq} was never completed or was removed`);
          t.deepEqual(e.message, expected, `seq ${e.seq} bytes intact`);
        }
        for (const seq of pre.keys()) if (post.has(seq)) t.true(seqs.includes(seq), `seq ${seq} survives the cut`);
        t.true(reopened.depth <= capacity);
        // The store keeps working after recovery, and a second reopen agrees.
        const next = (seqs[seqs.length - 1] ?? 0) + 10_000;
        for (let i = 0; i < 30; i++) reopened.append({ seq: next + i, message: message(next + i, 40) });
        t.deepEqual(snapshot(open(flash, capacity)), snapshot(reopened));
      },
    ),
    { numRuns: 400 },
  );
  t.true(cuts > 200, `only ${cuts} of 400 runs were cut`);
});

test('flash outbox: wear is spread evenly over the sectors across 10,000 appends and acknowledgements', (t) => {
  const flash = new NorFlash(8, 4096);
  const outbox = open(flash, 100);
  const inFlight: OutboxEntry[] = [];
  for (let seq = 1; seq <= 10_000; seq++) {
    outbox.append({ seq, message: message(seq, 120) });
    inFlight.push({ seq, message: message(seq, 120) });
    if (inFlight.length > 5) outbox.remove(inFlight.shift()!.seq); // the broker acknowledges a few behind
  }
  t.is(outbox.dropped, 0);
  t.deepEqual(snapshot(outbox), snapshot(open(flash, 100)));
  const max = Math.max(...flash.eraseCounts);
  const min = Math.min(...flash.eraseCounts);
  t.true(min > 0);
  t.true(max / min <= 1.2, `erase counts ${flash.eraseCounts.join(', ')}`);
});

test('flash outbox: when the flash (not the capacity) is full, the oldest entries are dropped and counted', (t) => {
  const flash = new NorFlash(3, 256);
  const outbox = open(flash, 1000);
  let dropped = 0;
  for (let seq = 1; seq <= 100; seq++) dropped += outbox.append({ seq, message: message(seq, 40) });
  t.true(dropped > 0);
  t.is(outbox.dropped, dropped);
  const seqs = outbox.peek(1000).map((e) => e.seq);
  t.is(seqs[seqs.length - 1], 100);
  t.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => 101 - seqs.length + i), 'a contiguous newest run');
  t.is(open(flash, 1000).dropped, dropped);
});

test('flash outbox: refuses a message too big for the sector budget', (t) => {
  const outbox = open(new NorFlash(4, 4096), 10);
  t.throws(() => outbox.append({ seq: 1, message: new Uint8Array(outbox.maxMessage + 1) }), { instanceOf: RangeError, message: /entry\.message/ });
});
