// Simulated time for a whole fleet. Every node gets a Clock and a Timer from here instead of the system's, so
// time can run faster than real time and runs replay exactly.
//
// Time advances in steps (1 s of simulated time by default). In a step, every timer due in it fires in time
// order (ties by the order they were set), with now() at the timer's own time; then the step settles: the
// caller's settle() waits until everything the step set off has happened (publishes acknowledged, verdicts
// back). Only then does time move on. The verifier's clock reads the step's end (`settledNow`), so its receive
// times do not depend on how fast the machine is. With pacing (accel = 60: one simulated minute per real
// second), a step also waits for the real time it stands for; accel = Infinity runs as fast as settling allows.
import type { Clock, Timer } from '../core/host.js';

interface Entry {
  at: number;
  order: number;
  callback: () => void;
  cancelled: boolean;
}

export interface LockstepOptions {
  startMs: number;
  /** Simulated ms per step (default 1000). */
  stepMs?: number;
  /** Simulated time per real time; Infinity = as fast as possible (default). */
  accel?: number;
}

export interface RunOptions {
  /** Wait until what the step set off has settled. */
  settle?: (nowMs: number) => Promise<void>;
  /** Called after each settled step (progress, outages, epoch closing). */
  afterStep?: (nowMs: number) => Promise<void> | void;
  /** Stop early (Ctrl-C). */
  signal?: { aborted: boolean };
}

export class Lockstep {
  readonly startMs: number;
  readonly stepMs: number;
  readonly accel: number;
  #now: number;
  #settledNow: number;
  #order = 0;
  #heap: Entry[] = [];
  #realStart = 0;

  constructor(options: LockstepOptions) {
    if (!Number.isSafeInteger(options.startMs)) throw new RangeError('startMs: an integer of Unix ms');
    const stepMs = options.stepMs ?? 1000;
    if (!Number.isInteger(stepMs) || stepMs < 1) throw new RangeError('stepMs: a positive integer');
    const accel = options.accel ?? Infinity;
    if (!(accel > 0)) throw new RangeError('accel: a positive number or Infinity');
    this.startMs = this.#now = this.#settledNow = options.startMs;
    this.stepMs = stepMs;
    this.accel = accel;
  }

  /** Simulated now, ms. */
  get now(): number {
    return this.#now;
  }

  /** The end of the current step: what a service outside the fleet (the verifier) sees as now. */
  get settledNow(): number {
    return this.#settledNow;
  }

  get pending(): number {
    return this.#heap.length;
  }

  /** A clock for one node; offsetMs skews its wall clock (a device whose clock is wrong). */
  clock(offsetMs = 0): Clock {
    return { now: () => this.#now + offsetMs, synced: () => true, monotonic: () => this.#now - this.startMs };
  }

  readonly timer: Timer = {
    set: (callback, delayMs) => {
      if (typeof callback !== 'function') throw new TypeError('callback: a function');
      const entry: Entry = { at: this.#now + Math.max(0, Math.ceil(delayMs)), order: this.#order++, callback, cancelled: false };
      this.#push(entry);
      return entry;
    },
    clear: (handle) => {
      if (handle && typeof handle === 'object') (handle as Entry).cancelled = true;
    },
  };

  /** The shared timer, with every delay lengthened by extraMs: a board that runs the same schedule later. */
  delayedTimer(extraMs: number): Timer {
    return { set: (callback, delayMs) => this.timer.set(callback, delayMs + extraMs), clear: (h) => this.timer.clear(h) };
  }

  /** Run steps until simulated time reaches endMs (exclusive of timers at endMs). */
  async runUntil(endMs: number, options: RunOptions = {}): Promise<void> {
    if (!this.#realStart) this.#realStart = performance.now() - (this.#now - this.startMs) / this.accel;
    while (this.#now < endMs && !options.signal?.aborted) {
      const stepEnd = Math.min(endMs, Math.floor(this.#now / this.stepMs) * this.stepMs + this.stepMs);
      this.#settledNow = stepEnd;
      this.#fireUntil(stepEnd);
      this.#now = stepEnd;
      await options.settle?.(stepEnd);
      await options.afterStep?.(stepEnd);
      if (Number.isFinite(this.accel)) {
        const due = this.#realStart + (stepEnd - this.startMs) / this.accel;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** How far simulated time lags behind the pace asked for, ms of real time (0 when unpaced or on time). */
  lagMs(): number {
    if (!Number.isFinite(this.accel) || !this.#realStart) return 0;
    return Math.max(0, performance.now() - (this.#realStart + (this.#now - this.startMs) / this.accel));
  }

  #fireUntil(endMs: number): void {
    for (;;) {
      const top = this.#heap[0];
      if (!top || top.at >= endMs) return;
      this.#pop();
      if (top.cancelled) continue;
      this.#now = top.at;
      top.callback();
    }
  }

  // A binary min-heap on (at, order).
  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }
  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  #pop(): Entry | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
