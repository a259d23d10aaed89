// The plan of a simulated fleet: for every node its place, sensors, profile, key and owner, all derived from the
// seed, so the same seed gives the same fleet (same device ids, same owners) on every machine.
import { createHash } from 'node:crypto';
import { deviceIdOf, deviceIdText } from '../core/device-id.js';
import { publicKeyOf } from '../core/signer.js';
import { addressOfPrivateKey } from '../verifier/registry/evm-account.js';
import type { EnvironmentRegion } from './environment.js';
import { PROFILE_INFO, PROFILES, type Profile, type ProfileMix } from './profiles.js';

export type SimNodeKind = 'weather' | 'air';

export interface NodePlan {
  index: number;
  /** Short name for logs and the report, e.g. "n0042". */
  name: string;
  profile: Profile;
  kind: SimNodeKind;
  lat: number;
  lon: number;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  deviceId: string;
  /** Device model and sensor models, as the manufacturer attests them. */
  model: string;
  sensorKinds: string[];
  /** The owner's EVM address (payouts) and its key (to sign transfers in scenarios). */
  owner: string;
  ownerKey: Uint8Array;
  /** Per-node constants the profile uses (drawn from the seed). */
  traits: NodeTraits;
}

export interface NodeTraits {
  /** Sensor calibration offsets, in wire units (Cel, %RH, Pa). */
  offsetT: number;
  offsetRH: number;
  offsetP: number;
  /** Relative gain error of the PM sensor (0.1 = reads 10 % high). */
  pmGain: number;
  /** flatline: fraction of the run after which the sensor sticks. */
  stuckAfter: number;
  /** drift: Cel per hour. */
  driftPerHour: number;
  /** clock_skew: device clock offset, ms. */
  skewMs: number;
  /** offline_backfill: when the outage starts (fraction of the run) and how long it lasts, ms. */
  offlineFrom: number;
  offlineMs: number;
  /** cloned_key: index of the honest node whose key the clone carries. */
  victim: number;
}

export interface FleetPlanOptions {
  seed: number;
  nodes: number;
  region: EnvironmentRegion;
  mix: ProfileMix;
  /** Share of air-quality nodes (weather + PM + CO2); the rest are weather nodes. Default 0.4. */
  airShare?: number;
}

const KM_PER_DEG_LAT = 110.574;

/** 32 deterministic bytes for (seed, purpose, index). */
export function derive(seed: number, purpose: string, index: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`fieldproof-sim/v1/${purpose}/${seed}/${index}`).digest());
}

/** A deterministic uniform number in [0, 1) for (seed, purpose, index). */
export function unit(seed: number, purpose: string, index: number): number {
  const b = derive(seed, purpose, index);
  return (b[0]! * 2 ** 45 + b[1]! * 2 ** 37 + b[2]! * 2 ** 29 + b[3]! * 2 ** 21 + b[4]! * 2 ** 13 + b[5]! * 2 ** 5 + (b[6]! >> 3)) / 2 ** 53;
}

/** The simulation's manufacturer (fleet) key: it attests every simulated device. */
export function simFleetKey(seed: number): Uint8Array {
  return derive(seed, 'fleet', 0);
}

export function planFleet(options: FleetPlanOptions): NodePlan[] {
  const { seed, nodes, region, mix } = options;
  if (!Number.isSafeInteger(seed)) throw new RangeError('seed: a safe integer');
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 100_000) throw new RangeError('nodes: an integer from 1 to 100000');
  const airShare = options.airShare ?? 0.4;
  if (!(airShare >= 0 && airShare <= 1)) throw new RangeError('airShare: a number from 0 to 1');

  // Profiles: the mix's counts, spread over the node indices by a seeded shuffle so attackers are not all at
  // one end of the map; honest nodes fill the rest.
  const special: Profile[] = [];
  for (const p of PROFILES) {
    const n = mix[p] ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`mix.${p}: a whole number of nodes`);
    if (p !== 'honest') for (let i = 0; i < n; i++) special.push(p);
  }
  if (special.length > nodes / 2) throw new RangeError(`mix: ${special.length} faulty or attacking nodes in a fleet of ${nodes}; at most half`);
  const profiles: Profile[] = Array.from({ length: nodes }, (_, i) => (i < special.length ? special[i]! : 'honest'));
  for (let i = nodes - 1; i > 0; i--) {
    const j = Math.floor(unit(seed, 'shuffle', i) * (i + 1));
    [profiles[i], profiles[j]] = [profiles[j]!, profiles[i]!];
  }

  const kmPerDegLon = 111.32 * Math.max(Math.cos((region.lat * Math.PI) / 180), 0.01);
  const honestIndices = profiles.flatMap((p, i) => (p === 'honest' ? [i] : []));
  const plans: NodePlan[] = [];
  for (let i = 0; i < nodes; i++) {
    const profile = profiles[i]!;
    // Uniform in the disc: r = R sqrt(u).
    const r = region.radiusKm * Math.sqrt(unit(seed, 'radius', i));
    const a = 2 * Math.PI * unit(seed, 'angle', i);
    const lat = round6(region.lat + (r * Math.sin(a)) / KM_PER_DEG_LAT);
    const lon = round6(region.lon + (r * Math.cos(a)) / kmPerDegLon);
    const kind: SimNodeKind = unit(seed, 'kind', i) < airShare ? 'air' : 'weather';
    const secretKey = derive(seed, 'node', i);
    const publicKey = publicKeyOf(secretKey);
    // Honest and faulty nodes have an owner each; an attacker owns all the nodes of its profile.
    const ownerKey = PROFILE_INFO[profile].kind === 'attack' ? derive(seed, `attacker-${profile}`, 0) : derive(seed, 'owner', i);
    const g = (purpose: string) => unit(seed, purpose, i);
    plans.push({
      index: i,
      name: `n${String(i).padStart(4, '0')}`,
      profile,
      kind,
      lat,
      lon,
      secretKey,
      publicKey,
      deviceId: deviceIdText(deviceIdOf(publicKey)),
      model: kind === 'air' ? 'esp32-bme280-pms5003-scd41' : 'esp32-bme280',
      sensorKinds: kind === 'air' ? ['bme280', 'pms5003', 'scd41'] : ['bme280'],
      owner: addressOfPrivateKey(ownerKey),
      ownerKey,
      traits: {
        offsetT: (g('offsetT') - 0.5) * 0.8,
        offsetRH: (g('offsetRH') - 0.5) * 4,
        offsetP: (g('offsetP') - 0.5) * 60,
        pmGain: (g('pmGain') - 0.5) * 0.2,
        stuckAfter: 0.2 + 0.3 * g('stuck'),
        driftPerHour: 0.8 + 0.6 * g('drift'),
        skewMs: Math.round((g('skewSign') < 0.5 ? -1 : 1) * (60_000 + 240_000 * g('skew'))),
        offlineFrom: 0.15 + 0.3 * g('offlineFrom'),
        offlineMs: Math.round((2 + 2 * g('offlineFor')) * 3_600_000),
        victim: honestIndices.length ? honestIndices[Math.floor(g('victim') * honestIndices.length)]! : -1,
      },
    });
  }
  // Every clone carries a different victim's key: two clones of one key would sample at the same instant over two
  // connections, and the order the verifier hears them in (which one is "the previous reading") would vary by run.
  const taken = new Set<number>();
  for (const p of plans) {
    if (p.profile !== 'cloned_key' || p.traits.victim < 0) continue;
    let k = honestIndices.indexOf(p.traits.victim);
    while (taken.has(honestIndices[k]!)) k = (k + 1) % honestIndices.length;
    p.traits.victim = honestIndices[k]!;
    taken.add(p.traits.victim);
  }
  return plans;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
