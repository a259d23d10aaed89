import type { Storage } from './host.js';

/** In-memory Storage for tests and large simulations. */
export class MemoryStorage implements Storage {
  readonly records = new Map<string, Uint8Array>();
  get(name: string): Uint8Array | undefined {
    const v = this.records.get(name);
    return v && v.slice();
  }
  set(name: string, value: Uint8Array): void {
    this.records.set(name, value.slice());
  }
}
