// Reconnect delays for Wi-Fi and MQTT: exponential backoff with "equal jitter" (half fixed, half random), capped.
// The jitter spreads a fleet that lost its broker at the same moment, so the nodes do not all come back in the
// same second (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015). The random source is injected: the
// device passes its hardware RNG, tests pass a fixed sequence.

export interface BackoffOptions {
  /** First delay, ms. Default 1000. */
  initialMs?: number;
  /** Largest delay, ms. Default 300000 (5 min). */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
  /** A number in [0, 1) per call. Default: no jitter (always the upper bound). */
  random?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #random: (() => number) | undefined;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    const initial = options.initialMs ?? 1000;
    const max = options.maxMs ?? 300_000;
    const factor = options.factor ?? 2;
    if (!Number.isInteger(initial) || initial < 1) throw new RangeError('options.initialMs: a positive integer');
    if (!Number.isInteger(max) || max < initial) throw new RangeError('options.maxMs: an integer not below initialMs');
    if (typeof factor !== 'number' || !(factor >= 1) || !Number.isFinite(factor)) throw new RangeError('options.factor: a finite number of at least 1');
    if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('options.random: a function');
    this.#initial = initial;
    this.#max = max;
    this.#factor = factor;
    this.#random = options.random;
  }

  /** Failed attempts since the last reset(). */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#initial * this.#factor ** Math.min(this.#attempt, 64));
    this.#attempt++;
    if (!this.#random) return Math.round(ceiling);
    const r = this.#random();
    const unit = r >= 0 && r < 1 ? r : 0;
    return Math.round(ceiling / 2 + (ceiling / 2) * unit);
  }

  /** After a success: the next failure starts again from initialMs. */
  reset(): void {
    this.#attempt = 0;
  }
}

/** A [0, 1) source from an RNG that yields bytes (the device's hardware RNG). */
export function unitRandom(bytes: (length: number) => Uint8Array): () => number {
  return () => {
    const b = bytes(4);
    return (((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!) / 2 ** 32;
  };
}
