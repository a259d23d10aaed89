// A NOR flash partition for tests: erase sets a sector to 0xFF, a write can only clear bits (new = old & data),
// erase counts are kept per sector, and a power cut can be armed to stop a chosen write or erase part-way.
import type { FlashDevice } from '../../../../hosts/esp32/flash-outbox.js';

export class PowerCut extends Error {
  constructor() {
    super('power cut');
    this.name = 'PowerCut';
  }
}

export interface CutPlan {
  /** Index (0-based) of the write or erase to interrupt, counted from when the plan is armed. */
  operation: number;
  /** Where in the operation's bytes to stop, 0 (nothing done) to 1. */
  at: number;
  /** Bits of the byte being programmed or erased at the cut that did change (the cell is half-done). */
  partialBits: number;
}

export class NorFlash implements FlashDevice {
  readonly bytes: Uint8Array;
  readonly blockSize: number;
  readonly eraseCounts: number[];
  #plan: CutPlan | undefined;
  #operations = 0;
  #dead = false;

  constructor(sectors: number, blockSize = 4096) {
    this.blockSize = blockSize;
    this.bytes = new Uint8Array(sectors * blockSize).fill(0xff);
    this.eraseCounts = new Array<number>(sectors).fill(0);
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  /** Power fails during a later operation; every operation after it fails too until restore(). */
  arm(plan: CutPlan): void {
    this.#plan = plan;
    this.#operations = 0;
  }

  get cut(): boolean {
    return this.#dead;
  }

  restore(): void {
    this.#dead = false;
    this.#plan = undefined;
  }

  read(offset: number, length: number): Uint8Array {
    this.#check(offset, length);
    if (this.#dead) throw new PowerCut();
    return this.bytes.slice(offset, offset + length);
  }

  write(offset: number, data: Uint8Array): void {
    this.#check(offset, data.length);
    const stop = this.#stopAt(data.length);
    for (let i = 0; i < Math.min(stop, data.length); i++) this.bytes[offset + i]! &= data[i]!;
    if (stop < data.length) {
      // The byte being programmed at the cut: only some of the bits that should clear did.
      this.bytes[offset + stop]! &= data[stop]! | ~this.#plan!.partialBits;
      this.#die();
    }
  }

  erase(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.eraseCounts.length) throw new RangeError(`sector: ${sector} out of range`);
    const base = sector * this.blockSize;
    const stop = this.#stopAt(this.blockSize);
    this.eraseCounts[sector]!++;
    for (let i = 0; i < Math.min(stop, this.blockSize); i++) this.bytes[base + i] = 0xff;
    if (stop < this.blockSize) {
      this.bytes[base + stop]! |= this.#plan!.partialBits;
      this.#die();
    }
  }

  /** Writes and erases done so far (all of them, armed or not). */
  programOperations = 0;

  #stopAt(length: number): number {
    if (this.#dead) throw new PowerCut();
    this.programOperations++;
    const plan = this.#plan;
    if (!plan || this.#operations++ !== plan.operation) return length;
    return Math.min(length - 1, Math.floor(plan.at * length));
  }

  #die(): never {
    this.#dead = true;
    throw new PowerCut();
  }

  #check(offset: number, length: number): void {
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0 || offset + length > this.bytes.length) {
      throw new RangeError(`offset/length: ${offset}+${length} outside the partition`);
    }
  }
}
