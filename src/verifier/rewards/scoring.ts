// Reward shares of one epoch: which devices earn, their scores, and their amounts in base units.
// Inputs are the epoch's stored readings (accepted and recorded, AcceptedReadingV1) and the device registry; the
// output is one RewardShareV1 per listed device, sorted by deviceId (code-unit order). Readings of other epochs
// and of devices not listed are ignored. Pure: same inputs in any order, same output.
//
// Per device, over its valid readings (the device's readings in the epoch that were accepted; maintenance
// readings are recorded, "not rewarded and not penalised" (src/verifier/reasons.ts `maintenance`), so they are
// left out of everything below, availability included):
//   slots        = number of distinct sampling slots covered, slot = floor((time - epochStart) / readingIntervalSeconds)
//   availability = min(1, slots / expectedReadings)        expectedReadings = epochSeconds / readingIntervalSeconds
//   meanQuality  = sum of quality / number of valid readings   (summed in seq order, so the double is reproducible)
//   score        = availability × meanQuality               in [0, 1]
// Counting slots rather than readings means sending more often than the interval earns nothing extra.
//
// Outcome, first that applies:
//   'no_readings'   no valid readings                          score 0
//   'no_owner'      the device has no owner                    score computed, amount 0, takes no area place
//   'below_quality' meanQuality < minQuality                   score computed, amount 0, takes no area place
//   'area_full'     not among the best maxDevicesPerArea of its area, ranked by score (highest first), ties by
//                   deviceId (ascending)                        score computed, amount 0
//   'earned'        otherwise
// Amounts: the epoch's emission split among 'earned' devices pro rata by score, each at most
// floor(emission × maxDeviceShare), excess redistributed, floors, remainder unallocated (pro-rata.ts states the
// exact rule). Scores enter the split as their exact binary64 values (exact-numbers.ts), not rounded.
import type { AcceptedReadingV1, DeviceRecordV1, RewardShareV1 } from '../types.js';
import { checkArray, checkInteger, checkNumber, checkObject, compareText, describe } from './arguments.js';
import { emissionFor, epochBounds, epochOf, type RewardConfig } from './epochs.js';
import { decimalRatio, exactDyadic } from './exact-numbers.js';
import { normaliseOwner } from './owner-address.js';
import { splitCapped } from './pro-rata.js';

type Outcome = RewardShareV1['outcome'];

interface DeviceScore {
  deviceId: string;
  owner: string | null;
  area: string;
  score: number;
  outcome: Outcome;
}

export function computeShares(
  epoch: number,
  readings: readonly AcceptedReadingV1[],
  devices: readonly DeviceRecordV1[],
  cfg: RewardConfig,
): RewardShareV1[] {
  const [start, end] = epochBounds(epoch, cfg);
  const registry = indexDevices(devices);
  const valid = validReadingsByDevice(epoch, start, end, readings, registry, cfg);

  const scored: DeviceScore[] = [...registry.values()]
    .sort((a, b) => compareText(a.deviceId, b.deviceId))
    .map((device) => scoreDevice(device, valid.get(device.deviceId) ?? [], start, cfg));
  applyAreaCap(scored, cfg.maxDevicesPerArea);

  const emission = emissionFor(epoch, cfg);
  const [capNumerator, capDenominator] = decimalRatio(cfg.maxDeviceShare);
  const earners = scored.filter((d) => d.outcome === 'earned');
  const amounts = splitCapped(
    emission,
    earners.map((d) => exactDyadic(d.score)),
    (emission * capNumerator) / capDenominator,
  );
  const amountOf = new Map(earners.map((d, i) => [d.deviceId, amounts[i]!]));

  return scored.map((d) => ({
    epoch,
    deviceId: d.deviceId,
    owner: d.owner,
    score: d.score,
    amount: (amountOf.get(d.deviceId) ?? 0n).toString(),
    outcome: d.outcome,
  }));
}

interface RegisteredDevice {
  deviceId: string;
  owner: string | null;
  area: string;
}

function indexDevices(devices: readonly DeviceRecordV1[]): Map<string, RegisteredDevice> {
  const registry = new Map<string, RegisteredDevice>();
  checkArray(devices, 'devices').forEach((value, i) => {
    const d = checkObject(value, `devices[${i}]`);
    if (typeof d.deviceId !== 'string' || d.deviceId === '') throw new TypeError(`devices[${i}].deviceId: expected a non-empty string, got ${describe(d.deviceId)}`);
    if (typeof d.area !== 'string') throw new TypeError(`devices[${i}].area: expected a string, got ${describe(d.area)}`);
    if (registry.has(d.deviceId)) throw new RangeError(`devices[${i}].deviceId: ${d.deviceId} is listed twice`);
    const owner = d.owner === null ? null : normaliseOwner(d.owner, `devices[${i}].owner`);
    registry.set(d.deviceId, { deviceId: d.deviceId, owner, area: d.area });
  });
  return registry;
}

/** The accepted, non-maintenance readings of the epoch, per device, in seq order. */
function validReadingsByDevice(
  epoch: number,
  start: number,
  end: number,
  readings: readonly AcceptedReadingV1[],
  registry: ReadonlyMap<string, RegisteredDevice>,
  cfg: RewardConfig,
): Map<string, AcceptedReadingV1[]> {
  const byDevice = new Map<string, AcceptedReadingV1[]>();
  const seen = new Set<string>();
  checkArray(readings, 'readings').forEach((value, i) => {
    const r = checkReading(value, i);
    const inWindow = r.time >= start && r.time < end;
    if (!inWindow && r.epoch !== epoch) return; // another epoch's reading: not ours to count
    if (!inWindow || r.epoch !== epoch) {
      // The stored epoch was derived from the same device time at ingest; a disagreement means the ledger and this
      // configuration disagree on epoch boundaries, and guessing which is right would pay the wrong epoch.
      const timeEpoch = r.time >= cfg.genesis ? `epoch ${epochOf(r.time, cfg)}` : 'before genesis';
      throw new RangeError(`readings[${i}].epoch: ${r.epoch}, but its time ${r.time} is in ${timeEpoch} under this config`);
    }
    // Only listed devices earn: the caller passes the registry as of the epoch's end (src/verifier/epoch-close.ts),
    // so a device registered later, with backfilled readings from before, gets nothing for this epoch.
    if (!registry.has(r.deviceId)) return;
    const key = `${r.deviceId}/${r.seq}`;
    if (seen.has(key)) throw new RangeError(`readings[${i}]: (deviceId ${r.deviceId}, seq ${r.seq}) appears twice; the ledger stores one`);
    seen.add(key);
    if (r.maintenance) return; // recorded: not rewarded, not penalised (reasons.ts `maintenance`)
    const list = byDevice.get(r.deviceId);
    if (list) list.push(r);
    else byDevice.set(r.deviceId, [r]);
  });
  for (const list of byDevice.values()) list.sort((a, b) => a.seq - b.seq);
  return byDevice;
}

function checkReading(value: unknown, i: number): AcceptedReadingV1 {
  const name = `readings[${i}]`;
  const r = checkObject(value, name);
  if (typeof r.deviceId !== 'string') throw new TypeError(`${name}.deviceId: expected a string, got ${describe(r.deviceId)}`);
  checkInteger(r.seq, `${name}.seq`, 0);
  checkNumber(r.time, `${name}.time`, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInteger(r.epoch, `${name}.epoch`, 0);
  checkNumber(r.quality, `${name}.quality`, 0, 1);
  if (typeof r.maintenance !== 'boolean') throw new TypeError(`${name}.maintenance: expected a boolean, got ${describe(r.maintenance)}`);
  return value as AcceptedReadingV1;
}

function scoreDevice(device: RegisteredDevice, valid: readonly AcceptedReadingV1[], start: number, cfg: RewardConfig): DeviceScore {
  const base = { deviceId: device.deviceId, owner: device.owner, area: device.area };
  if (valid.length === 0) return { ...base, score: 0, outcome: 'no_readings' };
  const slots = new Set(valid.map((r) => Math.floor((r.time - start) / cfg.readingIntervalSeconds))).size;
  const availability = Math.min(1, slots / cfg.expectedReadings);
  let qualitySum = 0;
  for (const r of valid) qualitySum += r.quality;
  const meanQuality = qualitySum / valid.length;
  const score = availability * meanQuality;
  const outcome: Outcome = device.owner === null ? 'no_owner' : meanQuality < cfg.minQuality ? 'below_quality' : 'earned';
  return { ...base, score, outcome };
}

/** Density cap: in each area, only the best maxDevicesPerArea candidates keep 'earned'; the rest get 'area_full'. */
function applyAreaCap(scored: DeviceScore[], maxDevicesPerArea: number): void {
  const byArea = new Map<string, DeviceScore[]>();
  for (const d of scored) {
    if (d.outcome !== 'earned') continue;
    const list = byArea.get(d.area);
    if (list) list.push(d);
    else byArea.set(d.area, [d]);
  }
  for (const candidates of byArea.values()) {
    candidates.sort((a, b) => b.score - a.score || compareText(a.deviceId, b.deviceId));
    for (const d of candidates.slice(maxDevicesPerArea)) d.outcome = 'area_full';
  }
}
