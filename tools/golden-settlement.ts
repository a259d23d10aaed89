// Writes test/vectors/settlement-golden.json: fixed fleets (registry + an epoch's stored readings) and reward
// configs -> the exact shares, payouts and StandardMerkleTree root. Run it only when the reward rules change on
// purpose (src/verifier/rewards/scoring.ts, pro-rata.ts, settlement.ts); the test then shows what moved:
//   npx tsc -p . && node dist/tools/golden-settlement.js
// Inputs are built here from fixed labels so anyone can rebuild them: device keys are Ed25519 seeds
// SHA-256(label) and device ids follow protocol v1 (src/core/device-id.ts); owner addresses are the last 20 bytes
// of keccak256(label); qualities come from SHA-256(deviceId/seq). Readings are synthetic ledger rows: scoring
// never reads the signed bytes, so `message` is empty and `messageHash` is SHA-256 of "deviceId/seq".
// test/verifier/rewards/golden-settlement.test.ts recomputes every vector and checks the root independently.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { toHex } from '../src/core/bytes.js';
import { deviceIdOf } from '../src/core/device-id.js';
import { createNobleSigner } from '../src/core/signer.js';
import { epochBounds, parseRewardConfig } from '../src/verifier/rewards/epochs.js';
import { computeShares } from '../src/verifier/rewards/scoring.js';
import { buildSettlement } from '../src/verifier/rewards/settlement.js';
import type { AcceptedReadingV1, DeviceRecordV1 } from '../src/verifier/types.js';

interface DeviceSpec {
  label: string;
  owner: string | null;
  area: string;
  /** Sampling slots with a reading (slot index within the epoch). */
  slots: number[];
  /** A fixed quality for every reading, or 'hashed' for SHA-256-derived qualities in [lo, hi]. */
  quality: number | { lo: number; hi: number };
  /** Slots that also carry a maintenance reading (recorded, not rewarded). */
  maintenanceSlots?: number[];
  /** Put the readings in this other epoch instead (they must not count). */
  otherEpoch?: number;
  /** Write the owner in upper case (normalisation). */
  upperCaseOwner?: boolean;
}

interface FleetSpec {
  name: string;
  config: Record<string, unknown>;
  epoch: number;
  closedAt: number;
  devices: DeviceSpec[];
}

const GENESIS = 1767225600; // 2026-01-01T00:00:00Z
const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);
const addressOf = (label: string) => `0x${toHex(keccak_256(new TextEncoder().encode(label)).subarray(12))}`;
const hashText = (text: string) => sha256(new TextEncoder().encode(text));

const FLEETS: FleetSpec[] = [
  {
    name: 'mixed fleet, 10-minute epochs, halving: area cap with a tie, device cap, every outcome, one owner of three devices',
    config: {
      epochSeconds: 600,
      genesis: GENESIS,
      emission: { initial: '5000000000000000000000', halvingEvery: 2 },
      maxDeviceShare: 0.3,
      maxDevicesPerArea: 2,
      minQuality: 0.6,
      readingIntervalSeconds: 60,
    },
    epoch: 3,
    closedAt: (GENESIS + 4 * 600 + 120) * 1000,
    devices: [
      { label: 'vienna-roof-1', owner: 'owner-anna', area: 'g0.1:1382:1963', slots: range(0, 10), quality: { lo: 0.85, hi: 1 } },
      { label: 'vienna-roof-2', owner: 'owner-ben', area: 'g0.1:1382:1963', slots: range(0, 10), quality: 0.8 },
      { label: 'vienna-roof-3', owner: 'owner-chen', area: 'g0.1:1382:1963', slots: range(0, 10), quality: 0.8 },
      { label: 'vienna-balcony', owner: 'owner-anna', area: 'g0.1:1382:1963', slots: range(0, 10, 2), quality: { lo: 0.7, hi: 0.95 }, maintenanceSlots: [1, 3] },
      { label: 'vienna-garden', owner: 'owner-dara', area: 'g0.1:1382:1963', slots: range(0, 7), quality: { lo: 0.6, hi: 0.9 } },
      { label: 'graz-school', owner: 'owner-anna', area: 'g0.1:1372:1954', slots: range(0, 10), quality: { lo: 0.9, hi: 1 }, upperCaseOwner: true },
      { label: 'graz-farm', owner: 'owner-emil', area: 'g0.1:1372:1954', slots: [0, 1, 2, 5, 6, 9], quality: { lo: 0.6, hi: 0.8 } },
      { label: 'linz-unclaimed', owner: null, area: 'g0.1:1383:1942', slots: range(0, 10), quality: 1 },
      { label: 'linz-dusty', owner: 'owner-ben', area: 'g0.1:1383:1942', slots: range(0, 10), quality: { lo: 0.2, hi: 0.6 } },
      { label: 'linz-maintenance', owner: 'owner-chen', area: 'g0.1:1383:1942', slots: [], quality: 1, maintenanceSlots: range(0, 10) },
      { label: 'linz-silent', owner: 'owner-dara', area: 'g0.1:1383:1942', slots: [], quality: 1 },
      { label: 'linz-late', owner: 'owner-emil', area: 'g0.1:1383:1942', slots: range(0, 10), quality: 1, otherEpoch: 2 },
    ],
  },
  {
    name: 'daily epochs, step schedule, 5-minute readings, area cap of 2',
    config: {
      genesis: GENESIS,
      emission: { initial: '1000000000000000000000000', steps: [[10, '600000000000000000000000'], [20, '250000000000000000000000']] },
      maxDeviceShare: 0.5,
      maxDevicesPerArea: 2,
      minQuality: 0.5,
      readingIntervalSeconds: 300,
    },
    epoch: 12,
    closedAt: (GENESIS + 13 * 86400 + 3600) * 1000,
    devices: [
      { label: 'alps-hut-1', owner: 'owner-fiona', area: 'g0.1:1370:1930', slots: range(0, 288, 6), quality: { lo: 0.7, hi: 1 } },
      { label: 'alps-hut-2', owner: 'owner-fiona', area: 'g0.1:1370:1930', slots: range(0, 288, 9), quality: { lo: 0.8, hi: 1 } },
      { label: 'alps-hut-3', owner: 'owner-gus', area: 'g0.1:1370:1930', slots: range(100, 288, 12), quality: { lo: 0.5, hi: 0.9 } },
      { label: 'valley-station', owner: 'owner-gus', area: 'g0.1:1371:1931', slots: range(0, 288, 8), quality: { lo: 0.6, hi: 1 } },
    ],
  },
  {
    name: 'no earner: an unowned device and a below-quality one give the empty settlement',
    config: {
      epochSeconds: 600,
      genesis: GENESIS,
      emission: { initial: '1000', halvingEvery: 100 },
      maxDeviceShare: 1,
      maxDevicesPerArea: 1,
      minQuality: 0.9,
      readingIntervalSeconds: 60,
    },
    epoch: 0,
    closedAt: (GENESIS + 600) * 1000,
    devices: [
      { label: 'lonely-unclaimed', owner: null, area: 'g0.1:900:900', slots: range(0, 10), quality: 1 },
      { label: 'lonely-noisy', owner: 'owner-hana', area: 'g0.1:900:900', slots: range(0, 10), quality: 0.5 },
    ],
  },
];

function buildFleet(spec: FleetSpec) {
  const cfg = parseRewardConfig(spec.config);
  const devices: DeviceRecordV1[] = [];
  const readings: AcceptedReadingV1[] = [];
  for (const d of spec.devices) {
    const publicKey = createNobleSigner(hashText(d.label)).publicKey;
    const deviceId = toHex(deviceIdOf(publicKey));
    const owner = d.owner === null ? null : addressOf(d.owner);
    devices.push({
      deviceId,
      publicKey,
      model: 'esp32-bme680',
      sensorKinds: ['thermometer', 'hygrometer', 'barometer'],
      location: { lat: 48.2, lon: 16.37 },
      area: d.area,
      owner: owner && d.upperCaseOwner ? `0x${owner.slice(2).toUpperCase()}` : owner,
      status: 'active',
      registeredAt: (GENESIS - 86400) * 1000,
      attestation: new Uint8Array(0),
    });
    const epoch = d.otherEpoch ?? spec.epoch;
    const [start] = epochBounds(epoch, cfg);
    let seq = 1000;
    const add = (slot: number, maintenance: boolean) => {
      const h = hashText(`${deviceId}/${seq}`);
      const q = typeof d.quality === 'number' ? d.quality : d.quality.lo + ((h[0]! * 256 + h[1]!) / 65535) * (d.quality.hi - d.quality.lo);
      const time = start + slot * cfg.readingIntervalSeconds + (h[2]! % 30);
      readings.push({
        deviceId,
        seq,
        time,
        receivedAt: time * 1000 + 250 + h[3]!,
        epoch,
        measurements: [{ quantity: 'temperature', value: Math.round((15 + h[4]! / 25.6) * 100) / 100 }],
        backfilled: false,
        maintenance,
        quality: Math.round(q * 1000) / 1000,
        messageHash: toHex(h),
        message: new Uint8Array(0),
      });
      seq += 1;
    };
    const maintenance = new Set(d.maintenanceSlots ?? []);
    for (const slot of [...new Set([...d.slots, ...maintenance])].sort((a, b) => a - b)) {
      if (d.slots.includes(slot)) add(slot, false);
      if (maintenance.has(slot)) add(slot, true);
    }
  }
  // Stored order as the ledger returns it (time, deviceId, seq); the result must not depend on it anyway.
  readings.sort((a, b) => a.time - b.time || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0) || a.seq - b.seq);
  return { cfg, devices, readings };
}

const vectors = FLEETS.map((spec) => {
  const { cfg, devices, readings } = buildFleet(spec);
  const shares = computeShares(spec.epoch, readings, devices, cfg);
  const settlement = buildSettlement(spec.epoch, shares, spec.closedAt);
  return {
    name: spec.name,
    config: spec.config,
    epoch: spec.epoch,
    closedAt: spec.closedAt,
    devices: devices.map((d) => ({ ...d, publicKey: toHex(d.publicKey), attestation: toHex(d.attestation) })),
    readings: readings.map((r) => ({ ...r, message: toHex(r.message) })),
    expected: { root: settlement.root, total: settlement.total, payouts: settlement.payouts, shares },
  };
});

const out = {
  source:
    'fieldproof golden settlements, rewards v1: generated by tools/golden-settlement.ts from the fixed fleet specs in that file ' +
    '(device keys Ed25519 seed SHA-256(label), owners keccak256(label)[12:], qualities from SHA-256(deviceId/seq); synthetic ledger rows, ' +
    'message bytes omitted since scoring does not read them). Expected shares, payouts and root are the output of src/verifier/rewards ' +
    'at generation time; test/verifier/rewards/golden-settlement.test.ts recomputes them and checks the root against OpenZeppelin ' +
    '@openzeppelin/merkle-tree StandardMerkleTree.of over the expected payouts.',
  vectors,
};
const path = fileURLToPath(new URL('../../test/vectors/settlement-golden.json', import.meta.url));
writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${vectors.length} golden settlements to ${path}`);
