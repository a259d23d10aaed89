// The status LED: one blink pattern per node state, so someone at the mast can tell what the node is doing.
// Highest priority first: fault > maintenance > no Wi-Fi > no time > no broker > online.
//   fault        fast flicker      100 on / 100 off
//   maintenance  double blink      150 on / 150 off / 150 on / 1050 off
//   wifi         slow blink        500 on / 500 off
//   clock        two short pulses  100 on / 200 off / 100 on / 1600 off
//   broker       long on           1500 on / 500 off
//   online       heartbeat         50 on / 4950 off
// The LED is driven by the host's timer; this class only decides levels and durations.
import type { Timer } from '../../src/core/host.js';

export type LedState = 'fault' | 'maintenance' | 'wifi' | 'clock' | 'broker' | 'online';

/** [on ms, off ms, on ms, off ms, ...]: even indexes lit. */
export const LED_PATTERNS: Readonly<Record<LedState, readonly number[]>> = Object.freeze({
  fault: Object.freeze([100, 100]),
  maintenance: Object.freeze([150, 150, 150, 1050]),
  wifi: Object.freeze([500, 500]),
  clock: Object.freeze([100, 200, 100, 1600]),
  broker: Object.freeze([1500, 500]),
  online: Object.freeze([50, 4950]),
});

export interface NodeCondition {
  fault: boolean;
  maintenance: boolean;
  wifi: boolean;
  clockSynced: boolean;
  broker: boolean;
}

export function ledStateOf(c: NodeCondition): LedState {
  if (c.fault) return 'fault';
  if (c.maintenance) return 'maintenance';
  if (!c.wifi) return 'wifi';
  if (!c.clockSynced) return 'clock';
  if (!c.broker) return 'broker';
  return 'online';
}

export class StatusLed {
  readonly #write: (on: boolean) => void;
  readonly #timer: Timer;
  #state: LedState | undefined;
  #step = 0;
  #handle: unknown;

  constructor(write: (on: boolean) => void, timer: Timer) {
    if (typeof write !== 'function') throw new TypeError('write: a function (on: boolean) => void');
    this.#write = write;
    this.#timer = timer;
  }

  get state(): LedState | undefined {
    return this.#state;
  }

  /** Switch pattern; the same state again keeps the running pattern in phase. */
  show(state: LedState): void {
    if (!(state in LED_PATTERNS)) throw new RangeError(`state: one of ${Object.keys(LED_PATTERNS).join(', ')}`);
    if (state === this.#state) return;
    this.#state = state;
    this.#step = 0;
    if (this.#handle !== undefined) this.#timer.clear(this.#handle);
    this.#tick();
  }

  stop(): void {
    if (this.#handle !== undefined) this.#timer.clear(this.#handle);
    this.#handle = undefined;
    this.#state = undefined;
    this.#write(false);
  }

  #tick(): void {
    const pattern = LED_PATTERNS[this.#state!];
    const i = this.#step % pattern.length;
    this.#write(i % 2 === 0);
    this.#step = i + 1;
    this.#handle = this.#timer.set(() => this.#tick(), pattern[i]!);
  }
}
