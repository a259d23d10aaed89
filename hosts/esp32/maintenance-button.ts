// The maintenance button: a debounced press toggles maintenance mode, which the node signs into the flags of
// every reading taken while it is on (src/core/reading.ts), so an operator cleaning a sensor does not feed the
// verifier bad data under the node's good name.
// Debounce: an edge only starts a wait; the level is read again after `debounceMs` and a press counts only if it
// is still pressed then and the button was released in between (a held button toggles once).
import type { Timer } from '../../src/core/host.js';

export interface MaintenanceButtonOptions {
  /** Current pin level, 0 or 1. */
  read: () => number;
  timer: Timer;
  /** Pressed reads 0 (button to ground with a pull-up, the usual wiring). Default true. */
  activeLow?: boolean;
  /** Default 50 ms: contact bounce of a tactile switch settles within a few ms. */
  debounceMs?: number;
  onToggle: (maintenance: boolean) => void;
}

export class MaintenanceButton {
  readonly #read: () => number;
  readonly #timer: Timer;
  readonly #activeLow: boolean;
  readonly #debounceMs: number;
  readonly #onToggle: (maintenance: boolean) => void;
  #maintenance = false;
  #pressed = false;
  #pending: unknown;

  constructor(options: MaintenanceButtonOptions) {
    if (typeof options?.read !== 'function') throw new TypeError('options.read: a function returning the pin level');
    if (typeof options.onToggle !== 'function') throw new TypeError('options.onToggle: a function');
    const debounce = options.debounceMs ?? 50;
    if (!Number.isInteger(debounce) || debounce < 1 || debounce > 5000) throw new RangeError('options.debounceMs: an integer from 1 to 5000');
    this.#read = options.read;
    this.#timer = options.timer;
    this.#activeLow = options.activeLow ?? true;
    this.#debounceMs = debounce;
    this.#onToggle = options.onToggle;
    this.#pressed = this.#isDown(); // held at boot: not a press until released once
  }

  get maintenance(): boolean {
    return this.#maintenance;
  }

  /** Call on every pin edge (the digital IO's onReadable). */
  edge(): void {
    if (this.#pending !== undefined) return; // a check is already due
    this.#pending = this.#timer.set(() => {
      this.#pending = undefined;
      const down = this.#isDown();
      if (down && !this.#pressed) {
        this.#maintenance = !this.#maintenance;
        this.#onToggle(this.#maintenance);
      }
      this.#pressed = down;
    }, this.#debounceMs);
  }

  #isDown(): boolean {
    const level = this.#read() ? 1 : 0;
    return this.#activeLow ? level === 0 : level === 1;
  }
}
