// Registry lookups in front of the ledger: the pipeline asks for the device of every reading. Entries live for
// a short time so that a suspension or a key change made by another verifier process is seen within ttlMs.
import type { Ledger } from './ledger/ledger.js';
import type { DeviceLookup } from './pipeline.js';
import type { DeviceRecordV1 } from './types.js';

export class DeviceCache implements DeviceLookup {
  readonly #ledger: Ledger;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { device: DeviceRecordV1 | undefined; at: number }>();

  constructor(ledger: Ledger, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ledger = ledger;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  async get(deviceId: string): Promise<DeviceRecordV1 | undefined> {
    const hit = this.#entries.get(deviceId);
    const now = this.#now();
    if (hit && now - hit.at < this.#ttlMs) return hit.device;
    const device = await this.#ledger.getDevice(deviceId);
    // Unknown devices are cached too (briefly): a flood of readings from an unregistered id must not hit the DB each time.
    this.#entries.set(deviceId, { device, at: now });
    if (this.#entries.size > 200_000) this.#entries.delete(this.#entries.keys().next().value!);
    return device;
  }

  /** Forget a device (after this process registers, suspends or transfers it). */
  invalidate(deviceId: string): void {
    this.#entries.delete(deviceId);
  }
}
