// The running tallies behind the dashboard's routes, over the fleet fixture's ledger: what they keep, what they ask
// again, and that catching up in slices gives the same counts as one query over the whole range.
import test from 'ava';
import { ActivityTally, OwnerTally, SeriesBuckets } from '../../../src/verifier/http/fleet-tallies.js';
import { epochBounds } from '../../../src/verifier/rewards/epochs.js';
import { REWARDS } from '../pipeline-fixture.js';
import { fleetFixture, NOW_MS, OPEN_AT } from './fleet-fixture.js';

test('OwnerTally catches up slice by slice (one per ask with no time budget) to the counts of one whole-range query', async (t) => {
  const fleet = await fleetFixture();
  t.teardown(() => fleet.f.ledger.close());
  const tally = new OwnerTally(fleet.f.ledger, { budgetMs: 0, lagMs: 10_000 });
  const [startS] = epochBounds(fleet.openEpoch, REWARDS);
  const whole = await fleet.f.ledger.acceptedByOwner(fleet.openEpoch, 0, Number.MAX_SAFE_INTEGER);
  let last = 0;
  let asks = 0;
  let r;
  do {
    r = await tally.count(fleet.openEpoch, startS, NOW_MS);
    t.true(r.countedUntil > last, 'every ask moves the tally on');
    last = r.countedUntil;
    asks++;
  } while (!r.complete && asks < 50);
  t.true(asks > 1, 'a 15-minute catch-up takes more than one slice');
  t.true(r.complete);
  t.deepEqual(r.readingsByOwner, whole);
  t.is(r.countedUntil, NOW_MS);
});

test('OwnerTally: asks at the same time (two dashboards) do not count a slice twice', async (t) => {
  const fleet = await fleetFixture();
  t.teardown(() => fleet.f.ledger.close());
  const tally = new OwnerTally(fleet.f.ledger, { budgetMs: 0 });
  const [startS] = epochBounds(fleet.openEpoch, REWARDS);
  const whole = await fleet.f.ledger.acceptedByOwner(fleet.openEpoch, 0, Number.MAX_SAFE_INTEGER);
  const results = await Promise.all(Array.from({ length: 20 }, () => tally.count(fleet.openEpoch, startS, NOW_MS)));
  const last = results.at(-1)!;
  t.true(last.complete);
  t.deepEqual(last.readingsByOwner, whole);
});

test('OwnerTally starts afresh when the epoch changes', async (t) => {
  const fleet = await fleetFixture();
  t.teardown(() => fleet.f.ledger.close());
  const tally = new OwnerTally(fleet.f.ledger);
  const [closedStart] = epochBounds(fleet.closedEpoch, REWARDS);
  const [openStart] = epochBounds(fleet.openEpoch, REWARDS);
  const ask = async (epoch: number, startS: number) => {
    for (;;) {
      const r = await tally.count(epoch, startS, NOW_MS);
      if (r.complete) return r.readingsByOwner;
    }
  };
  t.deepEqual(await ask(fleet.closedEpoch, closedStart), await fleet.f.ledger.acceptedByOwner(fleet.closedEpoch, 0, NOW_MS));
  t.deepEqual(await ask(fleet.openEpoch, openStart), await fleet.f.ledger.acceptedByOwner(fleet.openEpoch, 0, NOW_MS));
});

test('ActivityTally keeps the latest times per device and picks up a verdict that arrives after an ask', async (t) => {
  const fleet = await fleetFixture();
  t.teardown(() => fleet.f.ledger.close());
  const tally = new ActivityTally(fleet.f.ledger);
  const since = NOW_MS - 900_000;
  const first = new Map(await tally.since(since));
  t.deepEqual([...first.keys()].sort(), [fleet.ids.A, fleet.ids.B, fleet.ids.D, fleet.ids.E].sort());
  t.is(first.get(fleet.ids.A)!.lastRejectedAt, null);
  // A rejects a message later: the next ask sees it.
  const late = fleet.f.sign({ seq: 11, time: OPEN_AT + 400, values: { temperature: 14.7 } }); // seq 11 already accepted
  t.is((await fleet.f.submit(late, OPEN_AT + 401)).verdict.reason, 'replay');
  const second = await tally.since(since);
  t.like(second.get(fleet.ids.A), { lastAt: (OPEN_AT + 401) * 1000, lastRejectedAt: (OPEN_AT + 401) * 1000, lastAcceptedAt: first.get(fleet.ids.A)!.lastAcceptedAt });
  // A wider window reaches back to C's readings in the closed epoch.
  t.true((await tally.since(since - 86_400_000)).has(fleet.ids.C));
});

test('SeriesBuckets keeps settled buckets and reads recent ones again', async (t) => {
  const fleet = await fleetFixture();
  t.teardown(() => fleet.f.ledger.close());
  const buckets = new SeriesBuckets(fleet.f.ledger, { settleS: 120, freshMs: 0 });
  const nowS = OPEN_AT + 300;
  const from = OPEN_AT - 240;
  const to = OPEN_AT + 360;
  const count = (points: { bucket: number; quantity: string; count: number }[], bucket: number) => points.find((p) => p.bucket === bucket && p.quantity === 'temperature')?.count ?? 0;
  const first = await buckets.between(from, to, 60, nowS);
  const byQuantity = (points: { quantity: string; bucket: number }[]) => [...points].sort((a, b) => (a.quantity < b.quantity ? -1 : a.quantity > b.quantity ? 1 : a.bucket - b.bucket));
  t.deepEqual(byQuantity(first), await fleet.f.ledger.readingSeries(from, to, 60)); // the same points, bucket by bucket
  // A reading arrives late for a settled bucket (OPEN_AT, 4 minutes before now), another for the current one.
  await fleet.f.submit(fleet.f.sign({ seq: 20, time: OPEN_AT + 5 }), OPEN_AT + 301).then((r) => t.is(r.verdict.reason, 'ok'));
  await fleet.f.submit(fleet.f.sign({ seq: 21, time: OPEN_AT + 290 }), OPEN_AT + 302).then((r) => t.is(r.verdict.reason, 'ok'));
  const second = await buckets.between(from, to, 60, nowS + 5);
  t.is(count(second, OPEN_AT), count(first, OPEN_AT), 'a settled bucket is not read again');
  t.is(count(second, OPEN_AT + 240), count(first, OPEN_AT + 240) + 1, 'a recent bucket is');
});
