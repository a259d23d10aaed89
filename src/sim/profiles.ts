// Behaviour profiles of simulated nodes: honest, faulty (honest owners, broken or unlucky hardware) and
// attacking (owners who try to earn without measuring, or to corrupt others' data). A fleet plan gives every
// node one profile; the report then says, per profile, what got through and what it earned.

export const HONEST_PROFILES = ['honest'] as const;
export const FAULT_PROFILES = ['flatline', 'drift', 'clock_skew', 'offline_backfill'] as const;
export const ATTACK_PROFILES = ['replay', 'tamper', 'forged_signature', 'cloned_key', 'invented', 'flooding'] as const;

export type HonestProfile = (typeof HONEST_PROFILES)[number];
export type FaultProfile = (typeof FAULT_PROFILES)[number];
export type AttackProfile = (typeof ATTACK_PROFILES)[number];
export type Profile = HonestProfile | FaultProfile | AttackProfile;
export type ProfileKind = 'honest' | 'fault' | 'attack';

export const PROFILES: readonly Profile[] = [...HONEST_PROFILES, ...FAULT_PROFILES, ...ATTACK_PROFILES];

export interface ProfileInfo {
  kind: ProfileKind;
  /** What the profile does, for the report. */
  describe: string;
  /**
   * Whether its readings are real measurements of the node's own place at the right time. Faulty hardware
   * (flat line, drift) and attacks that invent values are not; a genuine node that sends too often is.
   */
  genuine: boolean;
}

export const PROFILE_INFO: Readonly<Record<Profile, ProfileInfo>> = Object.freeze({
  honest: { kind: 'honest', genuine: true, describe: 'measures and publishes on schedule' },
  flatline: { kind: 'fault', genuine: false, describe: 'a sensor that sticks at one value partway through the run' },
  drift: { kind: 'fault', genuine: false, describe: 'a temperature sensor that drifts upwards by about 1 Cel per hour' },
  clock_skew: { kind: 'fault', genuine: true, describe: 'a device clock that runs some minutes ahead or behind' },
  offline_backfill: { kind: 'fault', genuine: true, describe: 'loses its network for hours, then backfills from its outbox' },
  replay: { kind: 'attack', genuine: false, describe: 're-publishes captured readings of other nodes, on their topics and on its own' },
  tamper: { kind: 'attack', genuine: false, describe: 'alters values in captured readings of other nodes and re-publishes them' },
  forged_signature: { kind: 'attack', genuine: false, describe: 'publishes readings for its registered device signed with another key' },
  cloned_key: { kind: 'attack', genuine: false, describe: "runs a second board with an honest node's key at another place" },
  invented: { kind: 'attack', genuine: false, describe: 'a registered device that publishes plausible invented values without measuring' },
  flooding: { kind: 'attack', genuine: true, describe: 'a real station that publishes 12 times faster than the schedule' },
});

/** Nodes per profile, by name. Counts, not shares: a plan is exact. */
export type ProfileMix = Partial<Record<Profile, number>>;

/**
 * The default mix of faults and attacks for a fleet of `nodes`: 2 % of nodes for each attack (at least 1) and
 * 1.5 % for each fault (at least 1); honest nodes are the rest.
 */
export function defaultMix(nodes: number): ProfileMix {
  const mix: ProfileMix = {};
  if (nodes < 20) return mix;
  for (const p of FAULT_PROFILES) mix[p] = Math.max(1, Math.round(nodes * 0.015));
  for (const p of ATTACK_PROFILES) mix[p] = Math.max(1, Math.round(nodes * 0.02));
  return mix;
}

/**
 * Parse an attack mix: "default", "none", or comma-separated `profile=count` or `profile=percent%`
 * (e.g. "replay=3,invented=2%"); profiles not named get 0.
 */
export function parseMix(text: string, nodes: number): ProfileMix {
  if (typeof text !== 'string') throw new TypeError('mix: a string');
  const t = text.trim();
  if (t === 'default') return defaultMix(nodes);
  if (t === 'none' || t === '') return {};
  const mix: ProfileMix = {};
  for (const part of t.split(',')) {
    const m = /^\s*([a-z_]+)\s*=\s*(\d+(?:\.\d+)?)(%?)\s*$/.exec(part);
    if (!m) throw new RangeError(`mix: "${part}" is not profile=count or profile=percent% (e.g. replay=3,invented=2%)`);
    const name = m[1] as Profile;
    if (!PROFILES.includes(name) || name === 'honest') {
      throw new RangeError(`mix: unknown profile "${m[1]}" (known: ${PROFILES.filter((p) => p !== 'honest').join(', ')})`);
    }
    const value = Number(m[2]);
    const count = m[3] ? Math.round((nodes * value) / 100) : value;
    if (!Number.isInteger(count)) throw new RangeError(`mix: ${name}=${m[2]} must be a whole number of nodes`);
    mix[name] = count;
  }
  return mix;
}
