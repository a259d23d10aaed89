// The outbox contract: one suite, run against every implementation (memory, file).
import type { TestFn } from 'ava';
import type { Outbox } from '../../src/core/outbox.js';

export interface OutboxFactory {
  /** A new, empty outbox. */
  create(capacity: number): Outbox;
  /** Reopen the same store (persistent implementations) or undefined when the implementation forgets. */
  reopen?(outbox: Outbox, capacity: number): Outbox;
}

const msg = (seq: number) => new Uint8Array([0xd2, seq & 0xff, (seq >> 8) & 0xff]);

export function outboxContract(test: TestFn, name: string, factory: OutboxFactory): void {
  test(`${name}: delivers oldest first`, (t) => {
    const o = factory.create(10);
    for (const seq of [3, 5, 9]) o.append({ seq, message: msg(seq) });
    t.deepEqual(o.peek(10).map((e) => e.seq), [3, 5, 9]);
    t.deepEqual(o.peek(2).map((e) => e.seq), [3, 5]);
    t.deepEqual([...o.peek(1)[0]!.message], [...msg(3)]);
  });

  test(`${name}: removes only the acknowledged entry, in any order`, (t) => {
    const o = factory.create(10);
    for (const seq of [1, 2, 3, 4]) o.append({ seq, message: msg(seq) });
    o.remove(3);
    o.remove(1);
    o.remove(42); // unknown: ignored
    t.deepEqual(o.peek(10).map((e) => e.seq), [2, 4]);
    t.is(o.depth, 2);
  });

  test(`${name}: when full drops the oldest and counts it`, (t) => {
    const o = factory.create(3);
    let dropped = 0;
    for (let seq = 1; seq <= 5; seq++) dropped += o.append({ seq, message: msg(seq) });
    t.is(dropped, 2);
    t.is(o.dropped, 2);
    t.is(o.depth, 3);
    t.deepEqual(o.peek(10).map((e) => e.seq), [3, 4, 5]);
  });

  test(`${name}: refuses a sequence number not above the newest stored`, (t) => {
    const o = factory.create(3);
    o.append({ seq: 5, message: msg(5) });
    t.throws(() => o.append({ seq: 5, message: msg(5) }), { instanceOf: RangeError, message: /entry\.seq/ });
    t.throws(() => o.append({ seq: 4, message: msg(4) }), { instanceOf: RangeError });
  });

  test(`${name}: refuses a capacity that is not a positive integer`, (t) => {
    t.throws(() => factory.create(0), { instanceOf: RangeError, message: /capacity/ });
  });

  test(`${name}: stays consistent over many appends and removals`, (t) => {
    const o = factory.create(50);
    const model: number[] = [];
    let seq = 0;
    for (let i = 0; i < 2000; i++) {
      if (i % 3 !== 2) {
        o.append({ seq: ++seq, message: msg(seq) });
        model.push(seq);
        while (model.length > 50) model.shift();
      } else if (model.length > 0) {
        const pick = model[(i * 7) % model.length]!;
        o.remove(pick);
        model.splice(model.indexOf(pick), 1);
      }
    }
    t.deepEqual(o.peek(100).map((e) => e.seq), model);
  });

  if (factory.reopen) {
    const reopen = factory.reopen;
    test(`${name}: keeps entries, order and drop count across a reopen`, (t) => {
      const o = factory.create(3);
      for (let seq = 1; seq <= 5; seq++) o.append({ seq, message: msg(seq) });
      o.remove(4);
      const again = reopen(o, 3);
      t.deepEqual(again.peek(10).map((e) => e.seq), [3, 5]);
      t.is(again.dropped, 2);
      t.deepEqual([...again.peek(1)[0]!.message], [...msg(3)]);
    });
  }
}
