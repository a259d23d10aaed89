// Key conflict: one device key signing on two boards. A device numbers its readings in the order it takes them,
// so sequence order and time order agree; a clock correction (SNTP stepping the clock back) can make them
// disagree once, by the size of the step. Two boards with one key number independently (a careful cloner picks
// numbers far from the original's) while taking readings at the same times, so within an epoch some reading
// with a lower number is dated well after one with a higher number. The check runs at epoch close over the
// device's readings of the epoch; a conflict rejects all of them (`key_conflict`) and the device earns nothing
// for the epoch: the verifier cannot tell which board is the real one, and the owner must re-provision it.

/** Larger than any honest clock step we expect (the verifier tolerates device clocks 2 min ahead). */
export const KEY_CONFLICT_TOLERANCE_S = 300;

export interface SequencedReading {
  deviceId: string;
  seq: number;
  time: number;
}

export interface KeyConflict {
  deviceId: string;
  /** The pair that proves it: `earlier` has the lower sequence number and the later time. */
  earlier: { seq: number; time: number };
  later: { seq: number; time: number };
}

/** Devices whose readings' sequence and time orders disagree by more than the tolerance. */
export function findKeyConflicts(readings: readonly SequencedReading[], toleranceS = KEY_CONFLICT_TOLERANCE_S): Map<string, KeyConflict> {
  if (!(toleranceS >= 0)) throw new RangeError('toleranceS: a non-negative number of seconds');
  const byDevice = new Map<string, SequencedReading[]>();
  for (const r of readings) (byDevice.get(r.deviceId) ?? byDevice.set(r.deviceId, []).get(r.deviceId)!).push(r);
  const conflicts = new Map<string, KeyConflict>();
  for (const [deviceId, list] of byDevice) {
    list.sort((a, b) => a.seq - b.seq);
    // Walk in sequence order keeping the latest time seen so far: a reading dated more than the tolerance
    // before it contradicts it.
    let latest = list[0]!;
    for (const r of list) {
      if (latest.time - r.time > toleranceS) {
        conflicts.set(deviceId, { deviceId, earlier: { seq: latest.seq, time: latest.time }, later: { seq: r.seq, time: r.time } });
        break;
      }
      if (r.time > latest.time) latest = r;
    }
  }
  return conflicts;
}
