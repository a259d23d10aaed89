import test from 'ava';
import { toHex } from '../../src/core/bytes.js';
import { deviceIdOf } from '../../src/core/device-id.js';
import { createNobleSigner } from '../../src/core/signer.js';
import { nodeTopics } from '../../src/core/topics.js';
import { closeEpoch, devicesAsOf, EpochStillOpenError, recomputeEpoch } from '../../src/verifier/epoch-close.js';
import { epochBounds } from '../../src/verifier/rewards/epochs.js';
import { pipelineFixture, REWARDS, T0 } from './pipeline-fixture.js';

const owners = ['0x1111111111111111111111111111111111111111', '0x2222222222222222222222222222222222222222'];

async function fleetWithOneLiar() {
  const f = await pipelineFixture();
  const signers = Array.from({ length: 7 }, (_, i) => createNobleSigner(new Uint8Array(32).fill(40 + i)));
  for (const [i, s] of signers.entries()) {
    await f.register(s, { location: { lat: 47.37 + i * 0.002, lon: 8.54 + i * 0.002 }, owner: owners[i % 2]! });
  }
  const epoch = 2;
  const [start] = epochBounds(epoch, REWARDS);
  const hashes: string[] = [];
  for (const [i, s] of signers.entries()) {
    for (let k = 0; k < 5; k++) {
      const time = start + 60 + k * 60;
      const temperature = i === 6 ? 30 : 14 + i * 0.1 + k * 0.05; // device 6 invents a warm day
      const msg = f.sign({ seq: k, time, values: { temperature, humidity: 60 + i }, signer: s });
      const v = (await f.submit(msg, time + 1, nodeTopics(toHex(deviceIdOf(s.publicKey))).readings)).verdict;
      if (v.reason !== 'ok') throw new Error(`setup: ${v.reason} ${v.detail}`);
      hashes.push(v.messageHash);
    }
  }
  return { f, signers, epoch, hashes, liar: toHex(deviceIdOf(signers[6]!.publicKey)) };
}

const cfg = (now: number) => ({ rewards: REWARDS, quality: (undefined as never), graceS: 60, now });

test('closing revises a neighbour outlier, pays the honest devices and settles once', async (t) => {
  const { f, epoch, liar } = await fleetWithOneLiar();
  const [, end] = epochBounds(epoch, REWARDS);
  const options = { ...cfg((end + 61) * 1000), quality: f.deps.quality };
  const first = await closeEpoch(f.ledger, epoch, options);
  t.true(first.created);
  const liarVerdicts = await f.ledger.listVerdicts({ deviceId: liar, limit: 10 });
  t.true(liarVerdicts.every((v) => v.reason === 'neighbour_outlier' && v.status === 'rejected'), JSON.stringify(liarVerdicts.map((v) => v.reason)));
  const liarShare = first.shares.find((s) => s.deviceId === liar)!;
  t.is(liarShare.amount, '0');
  // six honest devices share one area capped at five earners (REWARDS.maxDevicesPerArea): the best five earn
  const honest = first.shares.filter((s) => s.deviceId !== liar && s.deviceId !== f.deviceId);
  t.is(honest.filter((s) => s.outcome === 'earned' && BigInt(s.amount) > 0n).length, REWARDS.maxDevicesPerArea);
  t.deepEqual(honest.filter((s) => s.outcome !== 'earned').map((s) => s.outcome), ['area_full']);
  const second = await closeEpoch(f.ledger, epoch, options);
  t.false(second.created);
  t.is(second.settlement.root, first.settlement.root);
});

test('an epoch cannot close before its end plus the grace period', async (t) => {
  const { f, epoch } = await fleetWithOneLiar();
  const [, end] = epochBounds(epoch, REWARDS);
  await t.throwsAsync(closeEpoch(f.ledger, epoch, { ...cfg((end + 30) * 1000), quality: f.deps.quality }), { instanceOf: EpochStillOpenError });
});

test('recompute reproduces the root even after a later ownership transfer', async (t) => {
  const { f, epoch, signers } = await fleetWithOneLiar();
  const [, end] = epochBounds(epoch, REWARDS);
  await closeEpoch(f.ledger, epoch, { ...cfg((end + 61) * 1000), quality: f.deps.quality });
  const moved = toHex(deviceIdOf(signers[0]!.publicKey));
  await f.ledger.transferDevice({ deviceId: moved, from: owners[0]!, to: '0x3333333333333333333333333333333333333333', at: (end + 3600) * 1000, evidence: new Uint8Array([1]) });
  const r = await recomputeEpoch(f.ledger, epoch, { rewards: REWARDS, quality: f.deps.quality });
  t.true(r.matches);
  const asOfEnd = await devicesAsOf(f.ledger, end * 1000);
  t.is(asOfEnd.find((d) => d.deviceId === moved)!.owner, owners[0]);
  const later = await devicesAsOf(f.ledger, (end + 7200) * 1000);
  t.is(later.find((d) => d.deviceId === moved)!.owner, '0x3333333333333333333333333333333333333333');
});

test('recompute notices a settlement that does not match its inputs', async (t) => {
  const { f, epoch } = await fleetWithOneLiar();
  const [, end] = epochBounds(epoch, REWARDS);
  await closeEpoch(f.ledger, epoch, { ...cfg((end + 61) * 1000), quality: f.deps.quality });
  // a reading that arrives for the closed epoch afterwards (backfilled) changes the inputs
  const late = createNobleSigner(new Uint8Array(32).fill(99));
  await f.register(late, { registeredAt: (T0 - 10) * 1000, location: { lat: 52.52, lon: 13.4 }, area: 'elsewhere' });
  const time = epochBounds(epoch, REWARDS)[0] + 120;
  const v = (await f.submit(f.sign({ seq: 0, time, backfilled: true, signer: late }), end + 100, nodeTopics(toHex(deviceIdOf(late.publicKey))).readings)).verdict;
  t.is(v.reason, 'ok');
  const r = await recomputeEpoch(f.ledger, epoch, { rewards: REWARDS, quality: f.deps.quality });
  t.false(r.matches);
});

test('a key signing on two boards: every reading of that device in the epoch is revised to key_conflict and it earns nothing', async (t) => {
  const f = await pipelineFixture();
  const signers = Array.from({ length: 5 }, (_, i) => createNobleSigner(new Uint8Array(32).fill(90 + i)));
  for (const [i, s] of signers.entries()) await f.register(s, { location: { lat: 47.37 + i * 0.002, lon: 8.54 }, owner: owners[0]! });
  const epoch = 2;
  const [start, end] = epochBounds(epoch, REWARDS);
  const victim = signers[0]!;
  for (const [i, s] of signers.entries()) {
    for (let k = 0; k < 8; k++) {
      const time = start + 60 + k * 60;
      const topic = nodeTopics(toHex(deviceIdOf(s.publicKey))).readings;
      const v = (await f.submit(f.sign({ seq: k, time, values: { temperature: 14 + i * 0.1 }, signer: s }), time + 1, topic)).verdict;
      if (v.reason !== 'ok') throw new Error(`setup: ${v.reason}`);
      if (s === victim) {
        // The clone: same key, numbers from a billion, 20 s after the original.
        const c = (await f.submit(f.sign({ seq: 1_000_000_000 + k, time: time + 20, values: { temperature: 15 }, signer: s }), time + 21, topic)).verdict;
        t.is(c.reason, 'ok', 'at ingest a clone passes');
      }
    }
  }
  const closed = await closeEpoch(f.ledger, epoch, { ...cfg((end + 61) * 1000), quality: f.deps.quality });
  const victimId = toHex(deviceIdOf(victim.publicKey));
  const verdicts = await f.ledger.listVerdicts({ deviceId: victimId, limit: 100 });
  t.is(verdicts.length, 16);
  t.true(verdicts.every((v) => v.status === 'rejected' && v.reason === 'key_conflict'), JSON.stringify(verdicts.map((v) => v.reason)));
  t.regex(verdicts[0]!.detail, /the key signs on two boards/);
  t.is(closed.shares.find((s) => s.deviceId === victimId)!.amount, '0');
  const others = await f.ledger.listVerdicts({ deviceId: toHex(deviceIdOf(signers[1]!.publicKey)), limit: 100 });
  t.true(others.every((v) => v.reason === 'ok'));
  t.true((await recomputeEpoch(f.ledger, epoch, { rewards: REWARDS, quality: f.deps.quality })).matches);
});

test('a device mildly but consistently off its neighbours earns nothing, though each reading stays accepted', async (t) => {
  const f = await pipelineFixture();
  const signers = Array.from({ length: 7 }, (_, i) => createNobleSigner(new Uint8Array(32).fill(120 + i)));
  for (const [i, s] of signers.entries()) await f.register(s, { location: { lat: 47.37 + i * 0.002, lon: 8.54 + i * 0.002 }, owner: owners[i % 2]! });
  const epoch = 2;
  const [start, end] = epochBounds(epoch, REWARDS);
  for (const [i, s] of signers.entries()) {
    for (let k = 0; k < 8; k++) {
      const time = start + 60 + k * 60;
      // Device 6 reads 3.6 Cel warm: robust z about 2.4, inside zReject (3.5) but outside zFull (2) every time.
      const temperature = (i === 6 ? 17.6 : 14) + i * 0.02 + k * 0.05;
      const v = (await f.submit(f.sign({ seq: k, time, values: { temperature }, signer: s }), time + 1, nodeTopics(toHex(deviceIdOf(s.publicKey))).readings)).verdict;
      if (v.reason !== 'ok') throw new Error(`setup: ${v.reason}`);
    }
  }
  const off = toHex(deviceIdOf(signers[6]!.publicKey));
  const closed = await closeEpoch(f.ledger, epoch, { ...cfg((end + 61) * 1000), quality: f.deps.quality });
  const verdicts = await f.ledger.listVerdicts({ deviceId: off, limit: 100 });
  t.true(verdicts.every((v) => v.status === 'accepted' && v.quality! > 0 && v.quality! < 1), JSON.stringify(verdicts.map((v) => [v.reason, v.quality])));
  const share = closed.shares.find((s) => s.deviceId === off)!;
  t.is(share.outcome, 'below_quality');
  t.is(share.amount, '0');
  t.true(closed.shares.filter((s) => s.deviceId !== off && s.deviceId !== f.deviceId).some((s) => s.outcome === 'earned'));
  // Turned off, the same epoch pays it.
  const lenient = { ...f.deps.quality, neighbour: { ...f.deps.quality.neighbour, minConsistency: 0 } };
  const { settleEpoch, epochInputs } = await import('../../src/verifier/epoch-close.js');
  const again = settleEpoch(await epochInputs(f.ledger, epoch, REWARDS), REWARDS, lenient, closed.settlement.closedAt);
  const lenientShare = again.shares.find((s) => s.deviceId === off)!;
  t.not(lenientShare.outcome, 'below_quality');
  t.true(lenientShare.score > 0);
  t.true((await recomputeEpoch(f.ledger, epoch, { rewards: REWARDS, quality: f.deps.quality })).matches);
});
