// Properties over random fleets (fast-check): the money never exceeds the emission, caps hold, the result does not
// depend on input order, and every payout is provable.
import test from 'ava';
import fc from 'fast-check';
import type { AcceptedReadingV1, DeviceRecordV1 } from '../../../src/verifier/types.js';
import { emissionFor, epochBounds, parseRewardConfig, type RewardConfig } from '../../../src/verifier/rewards/epochs.js';
import { computeShares } from '../../../src/verifier/rewards/scoring.js';
import { proveOwner, recomputeSettlement, sameSettlement, verifyPayout } from '../../../src/verifier/rewards/settlement.js';

const GENESIS = 1767225600;
const EPOCH = 3;
const OWNERS = [null, ...[1, 2, 3, 4, 5].map((n) => `0x${n.toString(16).repeat(40)}`)];
const AREAS = ['g0.1:1:1', 'g0.1:1:2', 'g0.1:2:2'];

interface Fleet {
  cfg: RewardConfig;
  devices: DeviceRecordV1[];
  readings: AcceptedReadingV1[];
}

const configArb = fc.record({
  initial: fc.bigInt({ min: 0n, max: 1n << 200n }),
  maxDeviceShare: fc.constantFrom(0.01, 0.02, 0.1, 0.25, 1 / 3, 0.5, 1),
  maxDevicesPerArea: fc.integer({ min: 1, max: 5 }),
  minQuality: fc.constantFrom(0, 0.3, 0.5, 0.9),
});

const deviceArb = fc.record({
  owner: fc.constantFrom(...OWNERS),
  area: fc.constantFrom(...AREAS),
  readings: fc.array(
    fc.record({
      slot: fc.integer({ min: 0, max: 9 }),
      offset: fc.integer({ min: 0, max: 59 }),
      quality: fc.double({ min: 0, max: 1, noNaN: true }),
      maintenance: fc.boolean(),
    }),
    { maxLength: 14 },
  ),
});

const fleetArb: fc.Arbitrary<Fleet> = fc.tuple(configArb, fc.array(deviceArb, { maxLength: 25 })).map(([c, specs]) => {
  const cfg = parseRewardConfig({
    epochSeconds: 600,
    genesis: GENESIS,
    emission: { initial: c.initial.toString(), halvingEvery: 2 },
    maxDeviceShare: c.maxDeviceShare,
    maxDevicesPerArea: c.maxDevicesPerArea,
    minQuality: c.minQuality,
    readingIntervalSeconds: 60,
  });
  const [start] = epochBounds(EPOCH, cfg);
  const devices: DeviceRecordV1[] = specs.map((s, i) => ({
    deviceId: `dev${String(i).padStart(3, '0')}`,
    publicKey: new Uint8Array(32),
    model: 'esp32-sps30',
    sensorKinds: ['pm'],
    location: { lat: 0, lon: 0 },
    area: s.area,
    owner: s.owner,
    status: 'active',
    registeredAt: 0,
    attestation: new Uint8Array(0),
  }));
  const readings = specs.flatMap((s, i) =>
    s.readings.map((r, seq) => ({
      deviceId: devices[i]!.deviceId,
      seq,
      time: start + r.slot * 60 + r.offset,
      receivedAt: (start + r.slot * 60 + r.offset) * 1000,
      epoch: EPOCH,
      measurements: [],
      backfilled: false,
      maintenance: r.maintenance,
      quality: r.quality,
      messageHash: `${i}/${seq}`,
      message: new Uint8Array(0),
    })),
  );
  return { cfg, devices, readings };
});

/** A deterministic shuffle (seeded by fast-check), so a failure replays. */
const shuffledArb = <T>(items: T[]) => fc.array(fc.nat(), { minLength: items.length, maxLength: items.length }).map((keys) =>
  items.map((item, i) => ({ item, key: keys[i]! })).sort((a, b) => a.key - b.key).map((x) => x.item),
);

test('the amounts never add up to more than the emission', (t) => {
  fc.assert(
    fc.property(fleetArb, ({ cfg, devices, readings }) => {
      const total = computeShares(EPOCH, readings, devices, cfg).reduce((s, x) => s + BigInt(x.amount), 0n);
      return total <= emissionFor(EPOCH, cfg);
    }),
  );
  t.pass();
});

/** floor(emission × maxDeviceShare), the share read as the decimal it was written as (0.02 means 2/100). */
function capOf(cfg: RewardConfig): bigint {
  const [whole, fraction = ''] = String(cfg.maxDeviceShare).split('.');
  return (emissionFor(EPOCH, cfg) * BigInt(whole! + fraction)) / 10n ** BigInt(fraction.length);
}

test('no device earns more than the device cap, and only earners earn', (t) => {
  fc.assert(
    fc.property(fleetArb, ({ cfg, devices, readings }) => {
      const cap = capOf(cfg);
      return computeShares(EPOCH, readings, devices, cfg).every((s) => BigInt(s.amount) <= cap && (s.outcome === 'earned' || s.amount === '0'));
    }),
  );
  t.pass();
});

test('when no earner reaches the cap the unallocated rest is less than the number of earners', (t) => {
  fc.assert(
    fc.property(fleetArb, ({ cfg, devices, readings }) => {
      const cap = capOf(cfg);
      const shares = computeShares(EPOCH, readings, devices, cfg);
      const earners = shares.filter((s) => s.outcome === 'earned' && s.score > 0);
      const total = shares.reduce((s, x) => s + BigInt(x.amount), 0n);
      if (earners.length === 0 || earners.some((s) => BigInt(s.amount) === cap)) return total <= emissionFor(EPOCH, cfg);
      return emissionFor(EPOCH, cfg) - total < BigInt(earners.length);
    }),
  );
  t.pass();
});

test('shuffled readings and devices give the identical settlement and shares', (t) => {
  const arb = fleetArb.chain((fleet) => fc.tuple(fc.constant(fleet), shuffledArb(fleet.readings), shuffledArb(fleet.devices)));
  fc.assert(
    fc.property(arb, ([{ cfg, devices, readings }, shuffledReadings, shuffledDevices]) => {
      const a = recomputeSettlement(EPOCH, readings, devices, cfg, 1);
      const b = recomputeSettlement(EPOCH, shuffledReadings, shuffledDevices, cfg, 1);
      return (
        sameSettlement(a, b) &&
        JSON.stringify(a) === JSON.stringify(b) &&
        JSON.stringify(computeShares(EPOCH, readings, devices, cfg)) === JSON.stringify(computeShares(EPOCH, shuffledReadings, shuffledDevices, cfg))
      );
    }),
    { numRuns: 50 },
  );
  t.pass();
});

test('the settlement pays exactly the shares, and every payout proves', (t) => {
  fc.assert(
    fc.property(fleetArb, ({ cfg, devices, readings }) => {
      const shares = computeShares(EPOCH, readings, devices, cfg);
      const s = recomputeSettlement(EPOCH, readings, devices, cfg, 1);
      if (BigInt(s.total) !== shares.reduce((sum, x) => sum + BigInt(x.amount), 0n)) return false;
      return s.payouts.every((p) => {
        const proved = proveOwner(s, p.owner);
        return proved !== undefined && verifyPayout(s.root, p.owner, proved.amount, proved.proof) && !verifyPayout(s.root, p.owner, BigInt(proved.amount) + 1n, proved.proof);
      });
    }),
    { numRuns: 50 },
  );
  t.pass();
});
