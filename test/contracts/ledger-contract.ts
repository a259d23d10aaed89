// The ledger contract: one suite, run against every implementation (SQLite file and memory, PostgreSQL).
// The races and the property test live in test/verifier/ledger/ledger-races.ts and run as part of it.
import type { ExecutionContext, TestFn } from 'ava';
import type { Ledger } from '../../src/verifier/ledger/ledger.js';
import { ledgerRaces } from '../verifier/ledger/ledger-races.js';
import { ledgerFleetContract } from './ledger-fleet-contract.js';
import { SQL } from '../../src/verifier/ledger/queries.js';
import { deviceParams, readingParams, verdictParams } from '../../src/verifier/ledger/rows.js';
import { SCHEMA_VERSION } from '../../src/verifier/ledger/schema.js';
import {
  delivery, device, deviceIdFor, openFor, rejection, settlement, sharesFor, T0, track, type LedgerFactory,
} from '../verifier/ledger/ledger-fixtures.js';

export type { LedgerFactory } from '../verifier/ledger/ledger-fixtures.js';

const plain = (bytes: Uint8Array) => Object.getPrototypeOf(bytes) === Uint8Array.prototype;

export function ledgerContract(test: TestFn, name: string, factory: LedgerFactory): void {
  const it = (title: string, fn: (t: ExecutionContext, ledger: Ledger) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const ledger = await openFor(t, factory);
      if (ledger) await fn(t, ledger);
    });

  // --- devices
  it('putDevice stores a device that getDevice returns as stored', async (t, ledger) => {
    t.is(await ledger.putDevice(device(1)), 'created');
    t.deepEqual(await ledger.getDevice(deviceIdFor(1)), device(1));
  });

  it("putDevice of a registered id says 'exists' and changes nothing", async (t, ledger) => {
    await ledger.putDevice(device(1));
    t.is(await ledger.putDevice(device(1, { model: 'other', owner: null })), 'exists');
    t.deepEqual(await ledger.getDevice(deviceIdFor(1)), device(1));
  });

  it('getDevice of an unknown id is undefined', async (t, ledger) => {
    t.is(await ledger.getDevice(deviceIdFor(99)), undefined);
  });

  it('listDevices lists every device ordered by id', async (t, ledger) => {
    for (const n of [3, 1, 2]) await ledger.putDevice(device(n));
    t.deepEqual(await ledger.listDevices(), [device(1), device(2), device(3)]);
  });

  it('setDeviceStatus suspends and reactivates a device', async (t, ledger) => {
    await ledger.putDevice(device(1));
    await ledger.setDeviceStatus(deviceIdFor(1), 'suspended');
    t.is((await ledger.getDevice(deviceIdFor(1)))!.status, 'suspended');
    await ledger.setDeviceStatus(deviceIdFor(1), 'active');
    t.is((await ledger.getDevice(deviceIdFor(1)))!.status, 'active');
  });

  it('setDeviceStatus refuses an unknown device', async (t, ledger) => {
    await t.throwsAsync(ledger.setDeviceStatus(deviceIdFor(9), 'suspended'), { instanceOf: RangeError, message: /deviceId/ });
  });

  // --- transfers
  const to = (c: string) => `0x${c.repeat(40)}`;
  const transfer = (from: string | null, toOwner: string, at: number, n = 1) => ({ deviceId: deviceIdFor(n), from, to: toOwner, at, evidence: new Uint8Array([1, 2, at & 0xff]) });

  it('transferDevice sets the new owner and records the transfer with its evidence', async (t, ledger) => {
    await ledger.putDevice(device(1));
    await ledger.transferDevice(transfer(device(1).owner, to('b'), 1000));
    t.is((await ledger.getDevice(deviceIdFor(1)))!.owner, to('b'));
    t.deepEqual(await ledger.listTransfers(deviceIdFor(1)), [transfer(device(1).owner, to('b'), 1000)]);
  });

  it('transferDevice from someone who is no longer the owner is refused and changes nothing', async (t, ledger) => {
    await ledger.putDevice(device(1));
    await ledger.transferDevice(transfer(device(1).owner, to('b'), 1000));
    await t.throwsAsync(ledger.transferDevice(transfer(device(1).owner, to('c'), 2000)), { instanceOf: RangeError, message: /transfer\.from/ });
    t.is((await ledger.getDevice(deviceIdFor(1)))!.owner, to('b'));
    t.is((await ledger.listTransfers(deviceIdFor(1))).length, 1);
  });

  it('listTransfers lists the transfers of one device, oldest first', async (t, ledger) => {
    await ledger.putDevice(device(1));
    await ledger.putDevice(device(2));
    await ledger.transferDevice(transfer(device(1).owner, to('b'), 1000));
    await ledger.transferDevice(transfer(device(2).owner, to('d'), 1500, 2));
    await ledger.transferDevice(transfer(to('b'), to('c'), 2000));
    t.deepEqual((await ledger.listTransfers(deviceIdFor(1))).map((x) => [x.from, x.to, x.at]), [[device(1).owner, to('b'), 1000], [to('b'), to('c'), 2000]]);
  });

  // --- nonces
  it('takeNonce takes a known unexpired nonce exactly once', async (t, ledger) => {
    await ledger.putNonce('n1', 5000);
    t.true(await ledger.takeNonce('n1', 4999));
    t.false(await ledger.takeNonce('n1', 4999));
  });

  it('takeNonce refuses an unknown nonce and one at or past its expiry', async (t, ledger) => {
    await ledger.putNonce('n1', 5000);
    t.false(await ledger.takeNonce('unknown', 0));
    t.false(await ledger.takeNonce('n1', 5000));
    t.false(await ledger.takeNonce('n1', 4000)); // swept when found expired
  });

  // --- recordVerdict
  it('recordVerdict stores a new verdict with its reading', async (t, ledger) => {
    const d = delivery({ seq: 7 });
    t.deepEqual(await ledger.recordVerdict(d.verdict, d.reading), { stored: 'new', verdict: d.verdict });
    t.deepEqual(await ledger.getVerdict(d.verdict.messageHash), d.verdict);
    t.deepEqual(await ledger.readingsOfEpoch(7), [d.reading]);
  });

  it("recordVerdict of a message already judged returns the first verdict as 'duplicate' and changes nothing", async (t, ledger) => {
    const d = delivery({ seq: 7 });
    await ledger.recordVerdict(d.verdict, d.reading);
    const again = { ...d.verdict, receivedAt: d.verdict.receivedAt + 5000, detail: 'second look' };
    t.deepEqual(await ledger.recordVerdict(again, { ...d.reading, receivedAt: again.receivedAt }), { stored: 'duplicate', verdict: d.verdict });
    t.deepEqual(await ledger.getVerdict(d.verdict.messageHash), d.verdict);
    t.deepEqual(await ledger.readingsOfEpoch(7), [d.reading]);
  });

  it("recordVerdict of another message with a taken (device, seq) stores a 'replay' rejection", async (t, ledger) => {
    const first = delivery({ seq: 7 });
    const copy = delivery({ seq: 7, variant: 'replayed', receivedAt: first.verdict.receivedAt + 60_000 });
    await ledger.recordVerdict(first.verdict, first.reading);
    const result = await ledger.recordVerdict(copy.verdict, copy.reading);
    t.is(result.stored, 'new');
    t.like(result.verdict, { messageHash: copy.verdict.messageHash, status: 'rejected', reason: 'replay', quality: null, seq: 7, receivedAt: copy.verdict.receivedAt });
    t.regex(result.verdict.detail, /seq 7\b/);
    t.deepEqual(await ledger.getVerdict(copy.verdict.messageHash), result.verdict);
    t.deepEqual(await ledger.readingsOfEpoch(7), [first.reading]);
  });

  it('recordVerdict of a replayed message again returns its replay verdict', async (t, ledger) => {
    const first = delivery({ seq: 7 });
    const copy = delivery({ seq: 7, variant: 'replayed' });
    await ledger.recordVerdict(first.verdict, first.reading);
    const replay = (await ledger.recordVerdict(copy.verdict, copy.reading)).verdict;
    t.deepEqual(await ledger.recordVerdict(copy.verdict, copy.reading), { stored: 'duplicate', verdict: replay });
  });

  it('recordVerdict stores a rejection without a reading, which takes no (device, seq)', async (t, ledger) => {
    const bad = rejection({ tag: 'r1', reason: 'out_of_range', seq: 7 });
    t.deepEqual(await ledger.recordVerdict(bad), { stored: 'new', verdict: bad });
    t.deepEqual(await ledger.getVerdict(bad.messageHash), bad);
    const good = delivery({ seq: 7 });
    t.is((await ledger.recordVerdict(good.verdict, good.reading)).verdict.status, 'accepted');
  });

  it('recordVerdict refuses an accepted verdict without its reading', async (t, ledger) => {
    const d = delivery({ seq: 7 });
    await t.throwsAsync(ledger.recordVerdict(d.verdict), { instanceOf: TypeError, message: /^reading/ });
    t.is(await ledger.getVerdict(d.verdict.messageHash), undefined);
  });

  it('recordVerdict refuses a reading that belongs to another verdict', async (t, ledger) => {
    const a = delivery({ seq: 7 });
    const b = delivery({ seq: 8 });
    await t.throwsAsync(ledger.recordVerdict(a.verdict, b.reading), { instanceOf: TypeError, message: /reading\.messageHash/ });
    t.is(await ledger.getVerdict(a.verdict.messageHash), undefined);
  });

  it('recordVerdict stores recorded (maintenance) readings alongside accepted ones', async (t, ledger) => {
    const m = delivery({ seq: 1, maintenance: true });
    const a = delivery({ seq: 2 });
    t.is((await ledger.recordVerdict(m.verdict, m.reading)).verdict.status, 'recorded');
    await ledger.recordVerdict(a.verdict, a.reading);
    t.deepEqual(await ledger.readingsBetween(T0, T0 + 3600), [m.reading, a.reading]);
    t.deepEqual(await ledger.getVerdict(m.verdict.messageHash), m.verdict);
  });

  // --- calls in flight together (a store may group-commit them): each gets the answer it would get in call order
  it('recordVerdict calls in flight together are judged in call order: duplicate and replay inside one batch', async (t, ledger) => {
    const first = delivery({ seq: 7 });
    const copy = delivery({ seq: 7, variant: 'replayed' });
    const other = delivery({ seq: 8 });
    const bad = rejection({ tag: 'r1', reason: 'out_of_range', seq: 9 });
    const results = await Promise.all([
      ledger.recordVerdict(first.verdict, first.reading),
      ledger.recordVerdict({ ...first.verdict, detail: 'second look' }, first.reading),
      ledger.recordVerdict(copy.verdict, copy.reading),
      ledger.recordVerdict(other.verdict, other.reading),
      ledger.recordVerdict(bad),
      ledger.recordVerdict(copy.verdict, copy.reading),
    ]);
    t.deepEqual(results[0], { stored: 'new', verdict: first.verdict });
    t.deepEqual(results[1], { stored: 'duplicate', verdict: first.verdict });
    t.like(results[2], { stored: 'new', verdict: { messageHash: copy.verdict.messageHash, status: 'rejected', reason: 'replay', quality: null } });
    t.true(results[2]!.verdict.detail.includes(first.verdict.messageHash));
    t.deepEqual(results[3], { stored: 'new', verdict: other.verdict });
    t.deepEqual(results[4], { stored: 'new', verdict: bad });
    t.deepEqual(results[5], { stored: 'duplicate', verdict: results[2]!.verdict });
    t.deepEqual(await ledger.getVerdict(copy.verdict.messageHash), results[2]!.verdict);
    t.deepEqual(await ledger.readingsOfEpoch(7), [first.reading, other.reading]);
    t.deepEqual((await ledger.countVerdictsByReason()), { ok: 2, out_of_range: 1, replay: 1 });
  });

  it('a recordVerdict the store refuses fails alone: the calls in flight with it are stored', async (t, ledger) => {
    const a = delivery({ seq: 1 });
    const b = delivery({ seq: 2 });
    // Passes the argument checks but not the store: a seq column holds integers only.
    const unstorable = { ...rejection({ tag: 'bad', reason: 'out_of_range' }), seq: 1.5 };
    const settled = await Promise.allSettled([
      ledger.recordVerdict(a.verdict, a.reading),
      ledger.recordVerdict(unstorable),
      ledger.recordVerdict(b.verdict, b.reading),
    ]);
    t.deepEqual(settled[0], { status: 'fulfilled', value: { stored: 'new', verdict: a.verdict } });
    t.is(settled[1]!.status, 'rejected');
    t.deepEqual(settled[2], { status: 'fulfilled', value: { stored: 'new', verdict: b.verdict } });
    t.is(await ledger.getVerdict(unstorable.messageHash), undefined);
    t.deepEqual(await ledger.readingsOfEpoch(7), [a.reading, b.reading]);
    // and the ledger goes on working
    const c = delivery({ seq: 3 });
    t.deepEqual(await ledger.recordVerdict(c.verdict, c.reading), { stored: 'new', verdict: c.verdict });
  });

  it('many recordVerdict calls in flight together each get their own result', async (t, ledger) => {
    const ds = Array.from({ length: 300 }, (_, i) => delivery({ device: 1 + (i % 7), seq: 1 + Math.floor(i / 7) }));
    const results = await Promise.all(ds.map((d) => ledger.recordVerdict(d.verdict, d.reading)));
    t.deepEqual(results, ds.map((d) => ({ stored: 'new', verdict: d.verdict })));
    t.is((await ledger.readingsOfEpoch(7)).length, 300);
    const again = await Promise.all(ds.map((d) => ledger.recordVerdict(d.verdict, d.reading)));
    t.true(again.every((r, i) => r.stored === 'duplicate' && r.verdict.messageHash === ds[i]!.verdict.messageHash));
  });

  if (factory.reopen) {
    const reopen = factory.reopen;
    it('close() stores the recordVerdict calls already made before it closes', async (t, ledger) => {
      const ds = [1, 2, 3].map((seq) => delivery({ seq }));
      const pending = ds.map((d) => ledger.recordVerdict(d.verdict, d.reading));
      const closed = ledger.close();
      t.deepEqual(await Promise.all(pending), ds.map((d) => ({ stored: 'new', verdict: d.verdict })));
      await closed;
      const again = track(t, factory, await reopen(ledger));
      t.deepEqual(await again.readingsOfEpoch(7), ds.map((d) => d.reading));
    });
  }

  // --- verdict queries
  const storeMix = async (ledger: Ledger) => {
    const at = (i: number) => T0 * 1000 + i * 1000;
    const list = [
      rejection({ tag: 'a', reason: 'bad_signature', device: 1, receivedAt: at(1) }),
      rejection({ tag: 'b', reason: 'out_of_range', device: 2, receivedAt: at(2) }),
      rejection({ tag: 'c', reason: 'bad_signature', device: 2, receivedAt: at(3) }),
      rejection({ tag: 'd', reason: 'malformed', device: null, receivedAt: at(4) }),
      rejection({ tag: 'e', reason: 'bad_signature', device: 1, receivedAt: at(5) }),
    ];
    for (const v of list) await ledger.recordVerdict(v);
    return list;
  };
  const hashes = (vs: { messageHash: string }[]) => vs.map((v) => v.messageHash);

  it('listVerdicts filters by device, newest first', async (t, ledger) => {
    const [a, , , , e] = await storeMix(ledger);
    t.deepEqual(await ledger.listVerdicts({ deviceId: deviceIdFor(1), limit: 10 }), [e!, a!]);
  });

  it('listVerdicts filters by reason, and by device and reason together', async (t, ledger) => {
    const [a, , c, , e] = await storeMix(ledger);
    t.deepEqual(hashes(await ledger.listVerdicts({ reason: 'bad_signature', limit: 10 })), hashes([e!, c!, a!]));
    t.deepEqual(hashes(await ledger.listVerdicts({ reason: 'bad_signature', deviceId: deviceIdFor(2), limit: 10 })), hashes([c!]));
  });

  it('listVerdicts pages newest first with before and limit', async (t, ledger) => {
    const list = await storeMix(ledger);
    const page1 = await ledger.listVerdicts({ limit: 2 });
    t.deepEqual(hashes(page1), hashes([list[4]!, list[3]!]));
    const page2 = await ledger.listVerdicts({ limit: 2, before: page1[1]!.receivedAt });
    t.deepEqual(hashes(page2), hashes([list[2]!, list[1]!]));
    const page3 = await ledger.listVerdicts({ limit: 2, before: page2[1]!.receivedAt });
    t.deepEqual(hashes(page3), hashes([list[0]!]));
  });

  it('countVerdictsByReason counts every stored verdict by its reason', async (t, ledger) => {
    await storeMix(ledger);
    const d = delivery({ seq: 1 });
    await ledger.recordVerdict(d.verdict, d.reading);
    await ledger.recordVerdict(d.verdict, d.reading); // a duplicate is not a second verdict
    t.deepEqual(await ledger.countVerdictsByReason(), { bad_signature: 3, out_of_range: 1, malformed: 1, ok: 1 });
  });

  // --- reading queries
  const storeReadings = async (ledger: Ledger, list: Parameters<typeof delivery>[0][]) => {
    const out = list.map(delivery);
    for (const d of out) await ledger.recordVerdict(d.verdict, d.reading);
    return out.map((d) => d.reading);
  };

  it("recentReadings gives one device's readings before a time, newest first, at most limit", async (t, ledger) => {
    const [r1, r2, r3] = await storeReadings(ledger, [{ seq: 1 }, { seq: 2 }, { seq: 3 }, { seq: 4 }, { seq: 2, device: 2 }]);
    t.deepEqual(await ledger.recentReadings(deviceIdFor(1), T0 + 4 * 60, 10), [r3!, r2!, r1!]);
    t.deepEqual(await ledger.recentReadings(deviceIdFor(1), T0 + 4 * 60, 2), [r3!, r2!]);
    t.deepEqual(await ledger.recentReadings(deviceIdFor(1), T0 + 60, 10), []);
  });

  it('readingsBetween gives fromTime <= time < toTime ordered by time, device, seq', async (t, ledger) => {
    const [a1, b1, a2, , b0] = await storeReadings(ledger, [
      { seq: 1, device: 2 }, { seq: 1, device: 1 }, { seq: 2, device: 2 }, { seq: 3, device: 2 }, { seq: 9, device: 1, time: T0 + 60 },
    ]);
    t.deepEqual(await ledger.readingsBetween(T0 + 60, T0 + 180), [b1!, b0!, a1!, a2!]);
  });

  it("readingsOfEpoch gives only that epoch's readings", async (t, ledger) => {
    const [, b, c] = await storeReadings(ledger, [{ seq: 1, epoch: 6 }, { seq: 2, epoch: 7 }, { seq: 3, epoch: 7 }, { seq: 4, epoch: 8 }]);
    t.deepEqual(await ledger.readingsOfEpoch(7), [b!, c!]);
    t.deepEqual(await ledger.readingsOfEpoch(9), []);
  });

  // --- review
  it("reviseVerdict changes a verdict's status, reason, detail and quality", async (t, ledger) => {
    const d = delivery({ seq: 7 });
    await ledger.recordVerdict(d.verdict, d.reading);
    await ledger.reviseVerdict(d.verdict.messageHash, { status: 'accepted', reason: 'ok', detail: 'neighbour review passed', quality: 0.75 });
    t.deepEqual(await ledger.getVerdict(d.verdict.messageHash), { ...d.verdict, detail: 'neighbour review passed', quality: 0.75 });
  });

  it('reviseVerdict keeps the reading as accepted at ingest, and its seq taken', async (t, ledger) => {
    const d = delivery({ seq: 7 });
    await ledger.recordVerdict(d.verdict, d.reading);
    await ledger.reviseVerdict(d.verdict.messageHash, { status: 'rejected', reason: 'neighbour_outlier', detail: 'z = 9', quality: null });
    t.like(await ledger.getVerdict(d.verdict.messageHash), { status: 'rejected', reason: 'neighbour_outlier', quality: null });
    t.deepEqual(await ledger.readingsOfEpoch(7), [d.reading]); // an epoch recomputes from its inputs as settled
    const copy = delivery({ seq: 7, variant: 'again' });
    t.is((await ledger.recordVerdict(copy.verdict, copy.reading)).verdict.reason, 'replay');
  });

  it('reviseVerdict refuses a message without a stored reading', async (t, ledger) => {
    const bad = rejection({ tag: 'r', reason: 'out_of_range' });
    await ledger.recordVerdict(bad);
    const change = { status: 'accepted', reason: 'ok', detail: '', quality: 1 } as const;
    await t.throwsAsync(ledger.reviseVerdict(bad.messageHash, change), { instanceOf: RangeError, message: /messageHash/ });
    await t.throwsAsync(ledger.reviseVerdict('ab'.repeat(32), change), { instanceOf: RangeError });
    t.deepEqual(await ledger.getVerdict(bad.messageHash), bad);
  });

  // --- settlements
  it('putSettlement writes a settlement and its shares', async (t, ledger) => {
    t.is(await ledger.putSettlement(settlement(7), sharesFor(7)), 'created');
    t.deepEqual(await ledger.getSettlement(7), settlement(7));
    t.deepEqual(await ledger.getShares(7), [...sharesFor(7)].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1)));
  });

  it("putSettlement of a closed epoch says 'exists' and changes nothing", async (t, ledger) => {
    await ledger.putSettlement(settlement(7), sharesFor(7));
    const other = settlement(7, { root: `0x${'0'.repeat(64)}`, total: '5', closedAt: 1 });
    t.is(await ledger.putSettlement(other, [{ ...sharesFor(7)[0]!, deviceId: deviceIdFor(50) }]), 'exists');
    t.deepEqual(await ledger.getSettlement(7), settlement(7));
    t.is((await ledger.getShares(7)).length, 3);
  });

  it('putSettlement keeps an epoch that pays nothing (no payouts, tree null)', async (t, ledger) => {
    const empty = settlement(7, { root: `0x${'0'.repeat(64)}`, total: '0', payouts: [], tree: null });
    t.is(await ledger.putSettlement(empty, []), 'created');
    t.deepEqual(await ledger.getSettlement(7), empty);
    t.deepEqual(await ledger.getShares(7), []);
  });

  it('getSettlement and getShares of an epoch not closed give nothing', async (t, ledger) => {
    await ledger.putSettlement(settlement(7), sharesFor(7));
    t.is(await ledger.getSettlement(8), undefined);
    t.deepEqual(await ledger.getShares(8), []);
  });

  it('listSettlements lists closed epochs in order', async (t, ledger) => {
    for (const epoch of [9, 7, 8]) await ledger.putSettlement(settlement(epoch), sharesFor(epoch));
    const s = (e: number) => ({ epoch: e, root: settlement(e).root, total: settlement(e).total, closedAt: settlement(e).closedAt });
    t.deepEqual(await ledger.listSettlements(), [s(7), s(8), s(9)]);
  });

  // --- bytes
  it('returns bytes as plain Uint8Array, not a driver Buffer', async (t, ledger) => {
    const d = delivery({ seq: 1 });
    await ledger.putDevice(device(1));
    await ledger.transferDevice(transfer(device(1).owner, to('b'), 1000));
    await ledger.recordVerdict(d.verdict, d.reading);
    const stored = (await ledger.getDevice(deviceIdFor(1)))!;
    t.true(plain(stored.publicKey) && plain(stored.attestation));
    t.true(plain((await ledger.listTransfers(deviceIdFor(1)))[0]!.evidence));
    t.true(plain((await ledger.readingsOfEpoch(7))[0]!.message));
    t.true(plain((await ledger.recentReadings(deviceIdFor(1), T0 * 2, 1))[0]!.message));
  });

  // --- persistence
  if (factory.reopen) {
    const reopen = factory.reopen;
    it('keeps devices, verdicts, readings and settlements across close and reopen', async (t, ledger) => {
      const d = delivery({ seq: 1 });
      await ledger.putDevice(device(1));
      await ledger.recordVerdict(d.verdict, d.reading);
      await ledger.putSettlement(settlement(7), sharesFor(7));
      await ledger.putNonce('n', 10_000);
      const again = track(t, factory, await reopen(ledger));
      t.deepEqual(await again.getDevice(deviceIdFor(1)), device(1));
      t.deepEqual(await again.recordVerdict(d.verdict, d.reading), { stored: 'duplicate', verdict: d.verdict });
      t.deepEqual(await again.readingsOfEpoch(7), [d.reading]);
      t.deepEqual(await again.getSettlement(7), settlement(7));
      t.true(await again.takeNonce('n', 0));
    });

    if (factory.setSchemaVersion) {
      const setVersion = factory.setSchemaVersion;
      it('refuses to open a store written with a newer schema version', async (t, ledger) => {
        await ledger.close();
        await setVersion(ledger, SCHEMA_VERSION + 1);
        await t.throwsAsync(reopen(ledger), { code: 'FP_E_LEDGER_SCHEMA', message: new RegExp(`version ${SCHEMA_VERSION + 1}`) });
      });
    }
  }

  if (factory.createAtVersion1) {
    const createAtVersion1 = factory.createAtVersion1;
    test(`${name}: opening a version 1 store migrates it, keeping every row and every rule`, async (t) => {
      if (factory.available && !(await factory.available())) return t.pass('skipped: the store is not reachable');
      const first = delivery({ seq: 1 });
      const second = delivery({ seq: 2 });
      const rejected = rejection({ tag: 'range', reason: 'out_of_range', seq: 3 });
      const seed = [
        { sql: SQL.insertDevice, params: deviceParams(device(1)) },
        ...[first, second].flatMap((d) => [{ sql: SQL.insertVerdict, params: verdictParams(d.verdict) }, { sql: SQL.insertReading, params: readingParams(d.reading) }]),
        { sql: SQL.insertVerdict, params: verdictParams(rejected) },
      ];
      const ledger = track(t, factory, await createAtVersion1(seed));
      t.deepEqual(await ledger.getDevice(deviceIdFor(1)), device(1));
      t.deepEqual(await ledger.getVerdict(rejected.messageHash), rejected);
      t.deepEqual((await ledger.recentReadings(deviceIdFor(1), T0 + 3600, 10)).map((r) => r.messageHash), [second.reading.messageHash, first.reading.messageHash]);
      // the rules still hold on the migrated tables: duplicate, replay, revision through the verdict
      t.is((await ledger.recordVerdict(first.verdict, first.reading)).stored, 'duplicate');
      const replay = delivery({ seq: 2, variant: 'again' });
      t.is((await ledger.recordVerdict(replay.verdict, replay.reading)).verdict.reason, 'replay');
      await ledger.reviseVerdict(second.verdict.messageHash, { status: 'accepted', reason: 'ok', detail: 'neighbour review passed', quality: 0.5 });
      t.is((await ledger.getVerdict(second.verdict.messageHash))?.quality, 0.5);
      await t.throwsAsync(ledger.reviseVerdict(rejected.messageHash, { status: 'accepted', reason: 'ok', detail: 'x', quality: 1 }), { instanceOf: RangeError });
      if (factory.uniqueIndexesOf) t.deepEqual((await factory.uniqueIndexesOf(ledger, 'readings')).sort(), ['device_id,seq']);
      if (factory.storedSchemaVersion) t.is(await factory.storedSchemaVersion(ledger), String(SCHEMA_VERSION));
      if (factory.reopen) {
        const again = track(t, factory, await factory.reopen(ledger));
        t.is((await again.recentReadings(deviceIdFor(1), T0 + 3600, 10)).length, 2); // a replay stores no reading
      }
    });
  }

  ledgerRaces(test, name, factory);
  ledgerFleetContract(test, name, factory);
}
