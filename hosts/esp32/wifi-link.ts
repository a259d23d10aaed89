// Wi-Fi station policy. Moddable's `wifi` module reports "connect", "gotIP" and "disconnect" but does not
// reconnect after a drop (modules/network/wifi, typings/wifi.d.ts), so the node does: after a disconnect, or when
// no IP arrives within `attemptTimeoutMs`, it asks again after a backoff delay; an IP resets the backoff.
// The radio calls are injected (`connect`, `disconnect`), so this is tested without a radio.
import type { Log, Timer } from '../../src/core/host.js';
import type { Backoff } from './backoff.js';

export type WifiMessage = 'connect' | 'gotIP' | 'disconnect';

export interface WifiLinkOptions {
  /** Start one connection attempt (Moddable: WiFi.connect({ssid, password}) or a new WiFi(...)). */
  connect: () => void;
  /** Drop the current attempt before a retry (Moddable: WiFi.disconnect()). */
  disconnect: () => void;
  timer: Timer;
  backoff: Backoff;
  log: Log;
  /** No IP this long after an attempt starts: give up on it and retry. Default 30000. */
  attemptTimeoutMs?: number;
  onOnline: () => void;
  onOffline: () => void;
}

export class WifiLink {
  readonly #o: WifiLinkOptions;
  readonly #attemptTimeoutMs: number;
  #online = false;
  #started = false;
  #timeout: unknown;
  #retry: unknown;
  /** Attempts started (for diagnostics). */
  attempts = 0;

  constructor(options: WifiLinkOptions) {
    const timeout = options.attemptTimeoutMs ?? 30_000;
    if (!Number.isInteger(timeout) || timeout < 1000) throw new RangeError('options.attemptTimeoutMs: an integer of at least 1000');
    this.#o = options;
    this.#attemptTimeoutMs = timeout;
  }

  get online(): boolean {
    return this.#online;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#attempt();
  }

  /** Feed every message of the Wi-Fi module here. */
  onMessage(message: WifiMessage): void {
    if (message === 'gotIP') {
      this.#clearTimers();
      this.#o.backoff.reset();
      if (!this.#online) {
        this.#online = true;
        this.#o.onOnline();
      }
    } else if (message === 'disconnect') {
      const was = this.#online;
      this.#online = false;
      if (was) this.#o.onOffline();
      this.#scheduleRetry('disconnected');
    }
    // 'connect' (associated, no IP yet): keep waiting for gotIP within the attempt timeout.
  }

  #attempt(): void {
    this.#retry = undefined;
    this.attempts++;
    this.#timeout = this.#o.timer.set(() => {
      this.#timeout = undefined;
      this.#o.disconnect();
      this.#scheduleRetry(`no IP within ${this.#attemptTimeoutMs / 1000} s`);
    }, this.#attemptTimeoutMs);
    try {
      this.#o.connect();
    } catch (error) {
      this.#scheduleRetry(`connect failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  #scheduleRetry(reason: string): void {
    if (!this.#started || this.#retry !== undefined) return;
    if (this.#timeout !== undefined) {
      this.#o.timer.clear(this.#timeout);
      this.#timeout = undefined;
    }
    const delay = this.#o.backoff.next();
    this.#o.log.warn(`wifi: ${reason}; retrying in ${Math.round(delay / 1000)} s`);
    this.#retry = this.#o.timer.set(() => this.#attempt(), delay);
  }

  #clearTimers(): void {
    if (this.#timeout !== undefined) this.#o.timer.clear(this.#timeout);
    if (this.#retry !== undefined) this.#o.timer.clear(this.#retry);
    this.#timeout = this.#retry = undefined;
  }
}
