// Reward epochs and the emission schedule. An epoch is a fixed window of device time counted from genesis:
// epoch e covers [genesis + e × epochSeconds, genesis + (e + 1) × epochSeconds). Readings count in the epoch of
// their device time (VerdictV1.epoch, src/verifier/types.ts), so a late or backfilled reading still lands in the
// epoch it was taken in.
import { checkArray, checkInteger, checkNumber, checkObject, describe, parseAmount } from './arguments.js';

/** Halving: the amount per epoch is initial / 2^floor(epoch / halvingEvery), in integer base units (floor). */
export interface HalvingEmission {
  kind: 'halving';
  initial: bigint;
  halvingEvery: number;
}

/** Steps: initial from epoch 0; each step sets the amount from its fromEpoch on (fromEpoch strictly increasing, >= 1). */
export interface StepEmission {
  kind: 'steps';
  initial: bigint;
  steps: readonly { fromEpoch: number; amount: bigint }[];
}

export type EmissionSchedule = HalvingEmission | StepEmission;

/** A validated reward configuration (from parseRewardConfig; frozen). */
export interface RewardConfig {
  /** Epoch length in seconds (default 86400; simulations use minutes). */
  readonly epochSeconds: number;
  /** Start of epoch 0, Unix s. */
  readonly genesis: number;
  readonly emission: EmissionSchedule;
  /** Per-device cap: the largest share of an epoch's emission one device can earn, in (0, 1] (e.g. 0.02). */
  readonly maxDeviceShare: number;
  /** Per-area density cap K: at most K devices earn in one area per epoch (the best K by score, ties by id). */
  readonly maxDevicesPerArea: number;
  /** Quality threshold: a device whose mean reading quality is below it earns nothing ('below_quality'). */
  readonly minQuality: number;
  /** The devices' sampling interval; it must divide epochSeconds, so an epoch is a whole number of slots. */
  readonly readingIntervalSeconds: number;
  /** Expected readings per device per epoch: epochSeconds / readingIntervalSeconds (derived, not configured). */
  readonly expectedReadings: number;
}

export const DEFAULT_EPOCH_SECONDS = 86400;

const FIELDS = ['epochSeconds', 'genesis', 'emission', 'maxDeviceShare', 'maxDevicesPerArea', 'minQuality', 'readingIntervalSeconds'];
const EMISSION_FIELDS = ['initial', 'halvingEvery', 'steps'];

/**
 * Validate a reward configuration in its JSON form and return it typed and frozen:
 *   { epochSeconds?: number, genesis: number,
 *     emission: { initial: "<base units>", halvingEvery: number } | { initial: "<base units>", steps: [[fromEpoch, "<base units>"], ...] },
 *     maxDeviceShare: number, maxDevicesPerArea: number, minQuality: number, readingIntervalSeconds: number }
 * Every error names the field (`config.emission.steps[1][0]: ...`). Unknown fields are refused, so a misspelt cap
 * cannot silently fall back to no cap.
 */
export function parseRewardConfig(config: unknown): RewardConfig {
  const c = checkObject(config, 'config');
  refuseUnknown(c, FIELDS, 'config');
  const epochSeconds = c.epochSeconds === undefined ? DEFAULT_EPOCH_SECONDS : checkInteger(c.epochSeconds, 'config.epochSeconds', 1);
  const genesis = checkInteger(c.genesis, 'config.genesis', 0);
  const emission = parseEmission(c.emission);
  const maxDeviceShare = checkNumber(c.maxDeviceShare, 'config.maxDeviceShare', 0, 1, true);
  const maxDevicesPerArea = checkInteger(c.maxDevicesPerArea, 'config.maxDevicesPerArea', 1);
  const minQuality = checkNumber(c.minQuality, 'config.minQuality', 0, 1);
  const readingIntervalSeconds = checkInteger(c.readingIntervalSeconds, 'config.readingIntervalSeconds', 1);
  if (epochSeconds % readingIntervalSeconds !== 0) {
    throw new RangeError(`config.readingIntervalSeconds: must divide epochSeconds (${epochSeconds}), got ${readingIntervalSeconds}`);
  }
  return Object.freeze({
    epochSeconds,
    genesis,
    emission,
    maxDeviceShare,
    maxDevicesPerArea,
    minQuality,
    readingIntervalSeconds,
    expectedReadings: epochSeconds / readingIntervalSeconds,
  });
}

function parseEmission(value: unknown): EmissionSchedule {
  const e = checkObject(value, 'config.emission');
  refuseUnknown(e, EMISSION_FIELDS, 'config.emission');
  const initial = parseAmount(e.initial, 'config.emission.initial');
  if ((e.halvingEvery === undefined) === (e.steps === undefined)) {
    throw new TypeError('config.emission: give exactly one decay, halvingEvery (epochs) or steps ([[fromEpoch, amount], ...])');
  }
  if (e.halvingEvery !== undefined) {
    return Object.freeze({ kind: 'halving', initial, halvingEvery: checkInteger(e.halvingEvery, 'config.emission.halvingEvery', 1) });
  }
  const steps = checkArray(e.steps, 'config.emission.steps').map((step, i) => {
    const name = `config.emission.steps[${i}]`;
    if (!Array.isArray(step) || step.length !== 2) throw new TypeError(`${name}: expected [fromEpoch, amount], got ${describe(step)}`);
    return Object.freeze({ fromEpoch: checkInteger(step[0], `${name}[0]`, 1), amount: parseAmount(step[1], `${name}[1]`) });
  });
  steps.forEach((step, i) => {
    if (i > 0 && step.fromEpoch <= steps[i - 1]!.fromEpoch) {
      throw new RangeError(`config.emission.steps[${i}][0]: fromEpoch must be greater than the previous step's (${steps[i - 1]!.fromEpoch}), got ${step.fromEpoch}`);
    }
  });
  return Object.freeze({ kind: 'steps', initial, steps: Object.freeze(steps) });
}

function refuseUnknown(obj: Record<string, unknown>, known: readonly string[], name: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new TypeError(`${name}.${key}: unknown field (known: ${known.join(', ')})`);
  }
}

/** The epoch a device time (Unix s) falls in; RangeError before genesis. */
export function epochOf(timeS: number, cfg: RewardConfig): number {
  checkNumber(timeS, 'timeS', cfg.genesis, Number.MAX_SAFE_INTEGER);
  return Math.floor((timeS - cfg.genesis) / cfg.epochSeconds);
}

/** [startS, endS) of an epoch, Unix s. */
export function epochBounds(epoch: number, cfg: RewardConfig): [number, number] {
  checkInteger(epoch, 'epoch', 0);
  const start = cfg.genesis + epoch * cfg.epochSeconds;
  const end = start + cfg.epochSeconds;
  if (!Number.isSafeInteger(end)) throw new RangeError(`epoch: ${epoch} ends beyond the safe integer range of Unix seconds`);
  return [start, end];
}

/** The amount emitted in an epoch, in base units. */
export function emissionFor(epoch: number, cfg: RewardConfig): bigint {
  checkInteger(epoch, 'epoch', 0);
  const e = cfg.emission;
  if (e.kind === 'halving') return e.initial >> BigInt(Math.floor(epoch / e.halvingEvery)); // floor(initial / 2^k)
  let amount = e.initial;
  for (const step of e.steps) {
    if (step.fromEpoch > epoch) break;
    amount = step.amount;
  }
  return amount;
}
