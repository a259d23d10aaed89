// The device's wall clock and the SNTP policy that gates the first reading.
// An ESP32 boots at 1970 (no battery-backed clock on the common boards), and a reading is signed with its time,
// so nothing may be sampled before SNTP answered: DeviceClock.synced() stays false until then, and the core's
// FieldNode skips its cycles while it is (src/core/field-node.ts). A time before `notBefore` (the firmware's
// build time) is refused as a bogus answer. After the first sync the clock keeps time from the monotonic tick
// counter and SNTP runs again every `resyncMs` to correct drift; a failed request is retried with backoff.
import type { Clock, Log, Timer } from '../../src/core/host.js';
import type { Backoff } from './backoff.js';

export class DeviceClock implements Clock {
  readonly #ticks: () => number;
  readonly #notBefore: number;
  #offset: number | undefined;

  /**
   * @param ticks monotonic milliseconds (Moddable: Time.ticks)
   * @param notBeforeS Unix seconds; an SNTP answer before this is refused
   */
  constructor(ticks: () => number, notBeforeS: number) {
    if (typeof ticks !== 'function') throw new TypeError('ticks: a function returning monotonic ms');
    if (!Number.isInteger(notBeforeS) || notBeforeS < 0) throw new RangeError('notBeforeS: Unix seconds');
    this.#ticks = ticks;
    this.#notBefore = notBeforeS;
  }

  now(): number {
    return this.#offset === undefined ? 0 : this.#offset + this.#ticks();
  }

  synced(): boolean {
    return this.#offset !== undefined;
  }

  monotonic(): number {
    return this.#ticks();
  }

  /** Accept an SNTP answer (Unix seconds). Returns false (and changes nothing) for an implausible one. */
  set(unixSeconds: number): boolean {
    if (typeof unixSeconds !== 'number' || !Number.isFinite(unixSeconds) || unixSeconds < this.#notBefore) return false;
    this.#offset = Math.round(unixSeconds * 1000) - this.#ticks();
    return true;
  }
}

export interface SntpScheduleOptions {
  /** Ask once; answer with seconds or an error (Moddable: new SNTP({host}, callback)). */
  request: (host: string, done: (error: string | undefined, unixSeconds?: number) => void) => void;
  hosts: readonly string[];
  clock: DeviceClock;
  timer: Timer;
  backoff: Backoff;
  log: Log;
  /** Default 6 h. */
  resyncMs?: number;
  /** Called with Unix seconds after every accepted answer (Moddable: Time.set, for TLS certificate checks). */
  onTime?: (unixSeconds: number) => void;
}

export class SntpSchedule {
  readonly #o: SntpScheduleOptions;
  readonly #resyncMs: number;
  #handle: unknown;
  #busy = false;
  #hostIndex = 0;
  #network = false;

  constructor(options: SntpScheduleOptions) {
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) throw new RangeError('options.hosts: at least one SNTP host');
    const resync = options.resyncMs ?? 6 * 3600_000;
    if (!Number.isInteger(resync) || resync < 60_000) throw new RangeError('options.resyncMs: an integer of at least 60000');
    this.#o = options;
    this.#resyncMs = resync;
  }

  /** Network up: ask now if the clock is not synced yet. Network down: stop asking. */
  setNetwork(up: boolean): void {
    this.#network = up;
    if (!up) {
      this.#cancel();
      return;
    }
    if (!this.#o.clock.synced()) this.#ask();
    else if (this.#handle === undefined) this.#schedule(this.#resyncMs);
  }

  #ask(): void {
    if (this.#busy || !this.#network) return;
    this.#cancel();
    this.#busy = true;
    const host = this.#o.hosts[this.#hostIndex % this.#o.hosts.length]!;
    let answered = false;
    this.#o.request(host, (error, seconds) => {
      if (answered) return;
      answered = true;
      this.#busy = false;
      if (error === undefined && seconds !== undefined && this.#o.clock.set(seconds)) {
        this.#o.backoff.reset();
        this.#o.onTime?.(seconds);
        this.#schedule(this.#resyncMs);
        return;
      }
      this.#hostIndex++; // try the next server next time
      const delay = this.#o.backoff.next();
      this.#o.log.warn(`sntp: ${error ?? `implausible time ${seconds}`} from ${host}; retrying in ${Math.round(delay / 1000)} s`);
      this.#schedule(delay);
    });
  }

  #schedule(delay: number): void {
    if (!this.#network) return;
    this.#cancel();
    this.#handle = this.#o.timer.set(() => {
      this.#handle = undefined;
      this.#ask();
    }, delay);
  }

  #cancel(): void {
    if (this.#handle !== undefined) this.#o.timer.clear(this.#handle);
    this.#handle = undefined;
  }
}
