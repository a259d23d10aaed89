// Rules that compare a reading with the same device's earlier accepted readings:
//   jump       a change faster than the air can change (WMO AWS "step test", see quality-config.ts);
//   flat_line  a value stuck for longer than its window (a frozen sensor, or a replayed constant).
// Both are conservative: missing or sparse history means "no evidence", never a failure.
import { beyond, failure, PASS, show, withUnit, type QualityCheck } from './check-result.js';
import { timeOf, valuesOf, type TimedReading } from './measurements.js';
import { ruleOf, type QualityConfig } from './quality-config.js';

/**
 * jump: |current - previous| per quantity must not exceed perMinute x elapsed minutes, where the elapsed time is
 * clamped to [minElapsedS, maxElapsedS]: readings seconds apart get one minute's allowance (sensor noise is not a
 * rate) and a long gap does not allow anything. A previous reading more than staleAfterS away is no reference: an
 * honest device whose value moved further than the capped allowance while it was offline would otherwise fail
 * against that same reading until one passed. The time order of the two readings does not matter (a backfilled
 * reading may be older than the one it is compared with).
 */
export function checkJump(current: TimedReading, previous: TimedReading | null | undefined, cfg: QualityConfig): QualityCheck {
  const now = timeOf(current, 'current');
  const values = valuesOf(current.measurements, 'current.measurements');
  if (previous === undefined || previous === null) return PASS;
  const before = valuesOf(previous.measurements, 'previous.measurements');
  const elapsedS = Math.abs(now - timeOf(previous, 'previous'));
  const { perMinute, minElapsedS, maxElapsedS, staleAfterS } = cfg.jump;
  if (elapsedS > staleAfterS) return PASS;
  const minutes = Math.min(Math.max(elapsedS, minElapsedS), maxElapsedS) / 60;

  for (const [quantity, value] of values) {
    const rate = ruleOf(perMinute, quantity);
    const was = before.get(quantity);
    if (rate === undefined || was === undefined) continue;
    const change = Math.abs(value - was);
    const limit = rate * minutes;
    if (beyond(change, limit)) {
      return failure(
        'jump',
        quantity,
        value,
        limit,
        `${quantity} changed by ${withUnit(quantity, change)} (from ${show(was)} to ${show(value)}) in ${show(elapsedS)} s; ` +
          `the limit is ${withUnit(quantity, limit)} (${withUnit(quantity, rate)}/min over ${show(minutes)} min)`,
      );
    }
  }
  return PASS;
}

/**
 * flat_line: a quantity is stuck when the current value and every earlier reading of it, back over more than the
 * rule's window, are within epsilon of each other (epsilon defaults to half a wire step: the same wire integer).
 * The run must be dense: a gap longer than flatLine.maxGapS between consecutive readings ends it, because two
 * equal values hours apart say nothing about the time in between. Values at or below the rule's floor or at or
 * above its ceiling are legitimate resting values (clean air, calm, night, fog) and are never flat.
 * `history` is the device's previous accepted readings, newest first (any order is tolerated); it must reach back
 * over the window for a stuck value to be seen.
 */
export function checkFlatLine(current: TimedReading, history: readonly TimedReading[], cfg: QualityConfig): QualityCheck {
  const now = timeOf(current, 'current');
  const values = valuesOf(current.measurements, 'current.measurements');
  if (!Array.isArray(history)) throw new TypeError('history: expected an array of readings, newest first');
  // Entries are converted only when the walk reaches them: it usually stops after one or two of the hundreds
  // a 6-hour window holds (converting them all up front cost ~100 us per reading in npm run bench).
  // Shapes are checked up front (cheap), so a malformed entry is named even when the walk would not reach it.
  // A plain loop, which builds an entry's name only to throw (not a template string for every entry).
  for (let i = 0; i < history.length; i++) {
    if (!(i in history)) continue; // a hole, skipped as forEach would
    const h = history[i]!;
    if (!isTimed(h)) timeOf(h, `history[${i}]`); // throws, naming the entry
    if (!Array.isArray(h.measurements)) throw new TypeError(`history[${i}].measurements: expected an array of {quantity, value}`);
  }
  const ordered = isNewestFirst(history) ? history : [...history].sort((a, b) => b.time - a.time);
  return walkFlatLine(now, values, ordered, cfg, false);
}

/**
 * checkFlatLine for a history already well-formed and newest first, as DeviceHistory and the ledger's
 * recentReadings give it, with the entries marked maintenance skipped (as if filtered out beforehand): the same
 * verdict without the argument checks and the filter, which visit every entry of a 6-hour history for each
 * reading (in npm run bench those passes cost more CPU than the rest of the pipeline, verify aside).
 */
export function checkFlatLineNewestFirst(current: TimedReading, history: readonly (TimedReading & { maintenance?: boolean })[], cfg: QualityConfig): QualityCheck {
  const now = timeOf(current, 'current');
  const values = valuesOf(current.measurements, 'current.measurements');
  return walkFlatLine(now, values, history, cfg, true);
}

/** The walk back from the current reading over `ordered` (newest first), per quantity. */
function walkFlatLine(now: number, values: ReadonlyMap<string, number>, ordered: readonly (TimedReading & { maintenance?: boolean })[], cfg: QualityConfig, skipMaintenance: boolean): QualityCheck {
  const converted: (ReadonlyMap<string, number> | undefined)[] = [];
  const valuesAt = (i: number) => (converted[i] ??= valuesOf(ordered[i]!.measurements, `history[${i}].measurements`));

  for (const [quantity, value] of values) {
    const rule = ruleOf(cfg.flatLine.rules, quantity);
    if (!rule || !Number.isFinite(value)) continue;
    if (rule.floor !== undefined && value <= rule.floor) continue;
    if (rule.ceiling !== undefined && value >= rule.ceiling) continue;
    let since = now;
    for (let i = 0; i < ordered.length; i++) {
      const entry = ordered[i];
      const time = entry !== undefined ? entry.time : timeOf(entry, `history[${i}]`);
      if (skipMaintenance && entry!.maintenance === true) continue;
      if (time >= now) continue;
      const v = valuesAt(i).get(quantity);
      if (v === undefined) continue; // no evidence either way
      if (since - time > cfg.flatLine.maxGapS) break;
      if (beyond(Math.abs(v - value), rule.epsilon)) break;
      since = time;
    }
    const stuckS = now - since;
    if (stuckS > rule.windowS) {
      return failure(
        'flat_line',
        quantity,
        value,
        rule.windowS,
        `${quantity} has stayed at ${withUnit(quantity, value)} (within ${show(rule.epsilon)}) for ${show(stuckS)} s, ` +
          `longer than the ${show(rule.windowS)} s window`,
      );
    }
  }
  return PASS;
}

/** What timeOf accepts, without naming anything. */
function isTimed(reading: unknown): reading is TimedReading {
  if (typeof reading !== 'object' || reading === null) return false;
  const time = (reading as Partial<TimedReading>).time;
  return typeof time === 'number' && Number.isFinite(time);
}

function isNewestFirst(readings: readonly { time: number }[]): boolean {
  for (let i = 1; i < readings.length; i++) if (readings[i]!.time > readings[i - 1]!.time) return false;
  return true;
}
