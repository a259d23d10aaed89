// The ledger contract, fleet-overview part (deviceActivity, readingSeries, acceptedByOwner): run by ledgerContract
// against every implementation.
import type { ExecutionContext, TestFn } from 'ava';
import type { Ledger } from '../../src/verifier/ledger/ledger.js';
import { delivery, device, deviceIdFor, openFor, rejection, T0, type LedgerFactory } from '../verifier/ledger/ledger-fixtures.js';

export function ledgerFleetContract(test: TestFn, name: string, factory: LedgerFactory): void {
  const it = (title: string, fn: (t: ExecutionContext, ledger: Ledger) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const ledger = await openFor(t, factory);
      if (ledger) await fn(t, ledger);
    });
  const ms = (s: number) => s * 1000;
  const record = async (ledger: Ledger, list: Parameters<typeof delivery>[0][]) => {
    for (const o of list) {
      const d = delivery(o);
      await ledger.recordVerdict(d.verdict, d.reading);
    }
  };

  it('deviceActivity gives, per device, its verdicts since a time with the latest one, acceptance and rejection', async (t, ledger) => {
    await record(ledger, [
      { seq: 1, device: 1, receivedAt: ms(T0 + 10) },
      { seq: 2, device: 1, receivedAt: ms(T0 + 70) },
      { seq: 1, device: 2, receivedAt: ms(T0 + 20) },
      { seq: 3, device: 3, receivedAt: ms(T0 - 500) }, // before the window
      { seq: 4, device: 3, receivedAt: ms(T0 + 5), maintenance: true }, // recorded: neither accepted nor rejected
    ]);
    await ledger.recordVerdict(rejection({ tag: 'x', reason: 'out_of_range', device: 2, receivedAt: ms(T0 + 90) }));
    await ledger.recordVerdict(rejection({ tag: 'y', reason: 'malformed', device: null, receivedAt: ms(T0 + 95) }));
    t.deepEqual(await ledger.deviceActivity(ms(T0)), [
      { deviceId: deviceIdFor(1), verdicts: 2, lastAt: ms(T0 + 70), lastAcceptedAt: ms(T0 + 70), lastRejectedAt: null },
      { deviceId: deviceIdFor(2), verdicts: 2, lastAt: ms(T0 + 90), lastAcceptedAt: ms(T0 + 20), lastRejectedAt: ms(T0 + 90) },
      { deviceId: deviceIdFor(3), verdicts: 1, lastAt: ms(T0 + 5), lastAcceptedAt: null, lastRejectedAt: null },
    ]);
    t.deepEqual(await ledger.deviceActivity(ms(T0 + 100)), []);
  });

  it('deviceActivity refuses a since that is not a Unix time', async (t, ledger) => {
    await t.throwsAsync(ledger.deviceActivity(-1), { instanceOf: RangeError, message: /^since/ });
    await t.throwsAsync(ledger.deviceActivity(1.5), { instanceOf: RangeError, message: /^since/ });
  });

  it('readingSeries aggregates accepted readings per quantity and time bucket, leaving out maintenance readings', async (t, ledger) => {
    // delivery(): temperature 21.37 + seq/100, humidity 45.5, time T0 + seq * 60 unless given.
    await record(ledger, [
      { seq: 1, device: 1, time: T0 },
      { seq: 2, device: 1, time: T0 + 50 },
      { seq: 1, device: 2, time: T0 + 59 },
      { seq: 3, device: 1, time: T0 + 60 },
      { seq: 4, device: 1, time: T0 + 61, maintenance: true },
      { seq: 5, device: 1, time: T0 + 120 }, // at toTime: outside
    ]);
    const temp = (seq: number) => 21.37 + seq / 100;
    const round = (x: number) => Math.round(x * 1e9) / 1e9;
    const series = (await ledger.readingSeries(T0, T0 + 120, 60)).map((p) => ({ ...p, mean: round(p.mean) }));
    t.deepEqual(series, [
      { quantity: 'humidity', bucket: T0, count: 3, mean: 45.5, min: 45.5, max: 45.5 },
      { quantity: 'humidity', bucket: T0 + 60, count: 1, mean: 45.5, min: 45.5, max: 45.5 },
      { quantity: 'temperature', bucket: T0, count: 3, mean: round((temp(1) + temp(2) + temp(1)) / 3), min: temp(1), max: temp(2) },
      { quantity: 'temperature', bucket: T0 + 60, count: 1, mean: round(temp(3)), min: temp(3), max: temp(3) },
    ]);
    t.deepEqual(await ledger.readingSeries(T0 + 200, T0 + 400, 60), []);
  });

  it('readingSeries refuses a reversed range and a bucket that is not a positive integer', async (t, ledger) => {
    await t.throwsAsync(ledger.readingSeries(T0 + 10, T0, 60), { instanceOf: RangeError, message: /^toTime/ });
    await t.throwsAsync(ledger.readingSeries(T0, T0 + 10, 0), { instanceOf: RangeError, message: /^bucketSeconds/ });
    await t.throwsAsync(ledger.readingSeries(Number.NaN, T0, 60), { instanceOf: RangeError, message: /^fromTime/ });
  });

  it('acceptedByOwner counts accepted verdicts of an epoch received in a range, per current owner, unowned last', async (t, ledger) => {
    const alice = `0x${'a'.repeat(40)}`;
    await ledger.putDevice(device(1, { owner: alice }));
    await ledger.putDevice(device(2, { owner: alice }));
    await ledger.putDevice(device(3, { owner: null }));
    await ledger.putDevice(device(4)); // owner 0x…05, sorts before alice
    await record(ledger, [
      { seq: 1, device: 1 }, { seq: 2, device: 1 }, { seq: 1, device: 2 }, { seq: 1, device: 3 }, { seq: 1, device: 4 },
      { seq: 3, device: 1, maintenance: true }, // recorded, not accepted
      { seq: 2, device: 4, epoch: 8 }, // another epoch
      { seq: 4, device: 1, receivedAt: ms(T0 + 5000) }, // received after the range
    ]);
    await ledger.recordVerdict(rejection({ tag: 'r', reason: 'out_of_range', device: 2 }));
    const from = ms(T0);
    const to = ms(T0 + 3600);
    t.deepEqual(await ledger.acceptedByOwner(7, from, to), [
      { owner: device(4).owner, readings: 1 },
      { owner: alice, readings: 3 },
      { owner: null, readings: 1 },
    ]);
    // Ranges add up: a tally asking piece by piece gets the same counts.
    const first = await ledger.acceptedByOwner(7, from, ms(T0 + 90));
    const rest = await ledger.acceptedByOwner(7, ms(T0 + 90), to);
    const sum = new Map<string | null, number>();
    for (const x of [...first, ...rest]) sum.set(x.owner, (sum.get(x.owner) ?? 0) + x.readings);
    t.deepEqual(Object.fromEntries(sum), { [device(4).owner!]: 1, [alice]: 3, null: 1 });
    t.deepEqual(await ledger.acceptedByOwner(9, from, to), []);
  });

  it('acceptedByOwner refuses a negative epoch and a reversed range', async (t, ledger) => {
    await t.throwsAsync(ledger.acceptedByOwner(-1, 0, 1), { instanceOf: RangeError, message: /^epoch/ });
    await t.throwsAsync(ledger.acceptedByOwner(1, 10, 5), { instanceOf: RangeError, message: /^receivedTo/ });
  });
}
