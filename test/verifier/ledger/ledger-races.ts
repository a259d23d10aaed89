// Part of the ledger contract: what two verifiers writing at once must still get right.
// With a twin (a second pool or connection on the same store) the calls really race; without one they are
// parallel promises on one ledger, which a store may serialize.
import type { ExecutionContext, TestFn } from 'ava';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import type { Ledger, RecordResult } from '../../../src/verifier/ledger/ledger.js';
import { delivery, deviceIdFor, openFor, settlement, sharesFor, type LedgerFactory } from './ledger-fixtures.js';

export function ledgerRaces(test: TestFn, name: string, factory: LedgerFactory): void {
  const it = (title: string, fn: (t: ExecutionContext, a: Ledger, b: Ledger) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const a = await openFor(t, factory);
      if (!a) return;
      let b = a;
      if (factory.twin) {
        const twin = await factory.twin(a);
        t.teardown(() => twin.close()); // runs before a's teardown, which may drop the store
        b = twin;
      }
      await fn(t, a, b);
    });

  it('two concurrent recordVerdict of one message give one new and one duplicate with the same verdict', async (t, a, b) => {
    for (let seq = 1; seq <= 20; seq++) {
      const d = delivery({ seq });
      const results = await Promise.all([a.recordVerdict(d.verdict, d.reading), b.recordVerdict(d.verdict, d.reading)]);
      t.deepEqual(results.map((r) => r.stored).sort(), ['duplicate', 'new']);
      t.deepEqual(results[0]!.verdict, d.verdict);
      t.deepEqual(results[1]!.verdict, d.verdict);
    }
    t.is((await a.readingsOfEpoch(7)).length, 20);
  });

  it('two concurrent messages with one (device, seq) give one accepted reading and one replay', async (t, a, b) => {
    for (let seq = 1; seq <= 20; seq++) {
      const x = delivery({ seq });
      const y = delivery({ seq, variant: 'other' });
      const results = await Promise.all([a.recordVerdict(x.verdict, x.reading), b.recordVerdict(y.verdict, y.reading)]);
      t.deepEqual(results.map((r) => r.stored), ['new', 'new']);
      const winner = results.find((r) => r.verdict.status === 'accepted')!;
      const loser = results.find((r) => r.verdict.reason === 'replay')!;
      t.truthy(winner && loser);
      t.true(loser.verdict.detail.includes(winner.verdict.messageHash));
      t.deepEqual(await a.getVerdict(loser.verdict.messageHash), loser.verdict);
    }
    const readings = await a.readingsOfEpoch(7);
    t.deepEqual(readings.map((r) => r.seq), Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('two concurrent takeNonce of one nonce: exactly one takes it', async (t, a, b) => {
    for (let i = 0; i < 10; i++) await a.putNonce(`n${i}`, 10_000);
    for (let i = 0; i < 10; i++) {
      const taken = await Promise.all([a.takeNonce(`n${i}`, 1), b.takeNonce(`n${i}`, 1)]);
      t.deepEqual(taken.sort(), [false, true]);
    }
  });

  it("two concurrent putSettlement of one epoch: one is created, and the winner's shares are the only ones", async (t, a, b) => {
    const mine = settlement(7);
    const theirs = settlement(7, { root: `0x${'e'.repeat(64)}` });
    const theirShares = sharesFor(7).map((s) => ({ ...s, deviceId: s.deviceId.replace(/^0*f/, 'a') }));
    const results = await Promise.all([a.putSettlement(mine, sharesFor(7)), b.putSettlement(theirs, theirShares)]);
    t.deepEqual([...results].sort(), ['created', 'exists']);
    const won = results[0] === 'created' ? { s: mine, shares: sharesFor(7) } : { s: theirs, shares: theirShares };
    t.deepEqual(await a.getSettlement(7), won.s);
    t.deepEqual((await a.getShares(7)).map((s) => s.deviceId), won.shares.map((s) => s.deviceId).sort());
  });

  it('random interleavings of duplicates and replays leave exactly one accepted reading per (device, seq)', async (t, a, b) => {
    let run = 0;
    const call = fc.record({ seq: fc.integer({ min: 1, max: 4 }), variant: fc.integer({ min: 0, max: 2 }), twin: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 24 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }), async (calls, batchSizes) => {
        // Each run gets its own device and epoch, so runs share the ledger without seeing each other.
        const epoch = 1000 + run++;
        const deviceId = deviceIdFor(100_000 + epoch);
        const deliveryOf = (c: { seq: number; variant: number }) => delivery({ device: deviceId, seq: c.seq, variant: `v${c.variant}`, epoch });
        const results: { key: string; result: RecordResult }[] = [];
        for (let i = 0, batch = 0; i < calls.length; batch++) {
          const group = calls.slice(i, (i += batchSizes[batch % batchSizes.length]!));
          const done = await Promise.all(group.map((c) => (c.twin ? b : a).recordVerdict(deliveryOf(c).verdict, deliveryOf(c).reading)));
          done.forEach((result, k) => results.push({ key: `${group[k]!.seq}/${group[k]!.variant}`, result }));
        }
        const readings = await a.readingsOfEpoch(epoch);
        const seqs = [...new Set(calls.map((c) => c.seq))].sort((x, y) => x - y);
        assert.deepEqual(readings.map((r) => r.seq), seqs, 'one reading per (device, seq)');
        for (const key of new Set(results.map((r) => r.key))) {
          const mine = results.filter((r) => r.key === key);
          assert.equal(mine.filter((r) => r.result.stored === 'new').length, 1, `one 'new' for message ${key}`);
          const stored = await a.getVerdict(mine[0]!.result.verdict.messageHash);
          for (const r of mine) assert.deepEqual(r.result.verdict, stored, `every answer for ${key} is the stored verdict`);
        }
        for (const reading of readings) {
          const verdicts = results.filter((r) => r.result.verdict.seq === reading.seq && r.result.stored === 'new').map((r) => r.result.verdict);
          assert.deepEqual(verdicts.filter((v) => v.status === 'accepted').map((v) => v.messageHash), [reading.messageHash], `seq ${reading.seq}: the stored reading is the accepted one`);
          assert.ok(verdicts.every((v) => v.status === 'accepted' || v.reason === 'replay'), `seq ${reading.seq}: every other message is a replay`);
        }
      }),
      { numRuns: 30 },
    );
    t.pass();
  });
}
