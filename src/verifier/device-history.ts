// Recent accepted readings per device, in memory, for the jump and flat-line checks. Reading a device's last
// few hundred rows from the ledger for every reading cost ~2.6 ms (npm run bench): here the ledger is read once
// per device, and each reading this process records is appended. With several verifier processes each sees only
// part of a device's readings; the checks treat missing history as missing evidence, never as a fault.
import type { Ledger } from './ledger/ledger.js';
import type { MeasurementValue } from './types.js';

export interface HistoryEntry {
  time: number;
  measurements: MeasurementValue[];
  maintenance: boolean;
}

export class DeviceHistory {
  readonly #ledger: Ledger;
  readonly #depth: number;
  readonly #maxDevices: number;
  /** Newest first. Map order doubles as least-recently-used order. */
  readonly #devices = new Map<string, HistoryEntry[]>();
  readonly #loading = new Map<string, Promise<HistoryEntry[]>>();

  constructor(ledger: Ledger, options: { depth: number; maxDevices?: number }) {
    if (!Number.isInteger(options.depth) || options.depth < 1) throw new RangeError('depth: a positive integer');
    this.#ledger = ledger;
    this.#depth = options.depth;
    this.#maxDevices = options.maxDevices ?? 20_000;
  }

  /** Readings of the device older than `time`, newest first, at most `depth`. */
  async before(deviceId: string, time: number): Promise<HistoryEntry[]> {
    const entries = await this.#entries(deviceId);
    // Readings mostly arrive in order: every entry is older, and a copy of the first `depth` is the answer.
    if (entries.length === 0 || entries[0]!.time < time) return entries.slice(0, this.#depth);
    const out: HistoryEntry[] = [];
    for (const e of entries) {
      if (e.time >= time) continue;
      out.push(e);
      if (out.length === this.#depth) break;
    }
    return out;
  }

  /** Add a reading this process has just recorded (accepted or recorded). */
  record(deviceId: string, entry: HistoryEntry): void {
    const entries = this.#devices.get(deviceId);
    if (!entries) return; // not loaded: the next before() reads it from the ledger, this reading included
    let i = 0;
    while (i < entries.length && entries[i]!.time > entry.time) i++;
    entries.splice(i, 0, { time: entry.time, measurements: entry.measurements, maintenance: entry.maintenance });
    // keep a little more than depth, so readings arriving out of order still find theirs
    if (entries.length > this.#depth * 2) entries.length = this.#depth * 2;
  }

  async #entries(deviceId: string): Promise<HistoryEntry[]> {
    const cached = this.#devices.get(deviceId);
    if (cached) {
      this.#devices.delete(deviceId); // move to the most recently used end
      this.#devices.set(deviceId, cached);
      return cached;
    }
    let loading = this.#loading.get(deviceId);
    if (!loading) {
      loading = this.#ledger.recentReadings(deviceId, Number.MAX_SAFE_INTEGER, this.#depth * 2).then((rows) =>
        rows.map((r) => ({ time: r.time, measurements: r.measurements, maintenance: r.maintenance })),
      );
      this.#loading.set(deviceId, loading);
    }
    try {
      const entries = await loading;
      if (!this.#devices.has(deviceId)) {
        this.#devices.set(deviceId, entries);
        if (this.#devices.size > this.#maxDevices) this.#devices.delete(this.#devices.keys().next().value!);
      }
      return this.#devices.get(deviceId)!;
    } finally {
      this.#loading.delete(deviceId);
    }
  }
}
