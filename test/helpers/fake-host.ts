// Deterministic stand-ins for host services: a clock and timer the test advances, and a transport whose
// connection and acknowledgements the test controls.
import type { Clock, PublishOptions, Timer, Transport, TransportEvents } from '../../src/core/host.js';

export class ManualClock implements Clock {
  ms: number;
  isSynced = true;
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.ms = startMs;
  }
  now() {
    return this.ms;
  }
  synced() {
    return this.isSynced;
  }
  monotonic() {
    return this.ms;
  }
}

export class ManualTimer implements Timer {
  #tasks = new Map<number, { at: number; cb: () => void }>();
  #id = 0;
  constructor(private clock: ManualClock) {}
  set(cb: () => void, delayMs: number) {
    const id = ++this.#id;
    this.#tasks.set(id, { at: this.clock.ms + delayMs, cb });
    return id;
  }
  clear(handle: unknown) {
    this.#tasks.delete(handle as number);
  }
  get pending() {
    return this.#tasks.size;
  }
  /** Advance time, firing due callbacks in time order. */
  advance(ms: number) {
    const end = this.clock.ms + ms;
    for (;;) {
      let next: [number, { at: number; cb: () => void }] | undefined;
      for (const entry of this.#tasks) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#tasks.delete(next[0]);
      this.clock.ms = Math.max(this.clock.ms, next[1].at);
      next[1].cb();
    }
    this.clock.ms = end;
  }
}

export interface Published {
  topic: string;
  payload: Uint8Array;
  options: PublishOptions;
}

export class FakeTransport implements Transport {
  connected = false;
  published: Published[] = [];
  /** When false, publishes stay pending until ackAll() or fail(). */
  autoAck = true;
  #events: TransportEvents | undefined;
  #pending: { p: Published; resolve: () => void; reject: (e: Error) => void }[] = [];

  setEvents(events: TransportEvents) {
    this.#events = events;
  }
  publish(topic: string, payload: Uint8Array, options: PublishOptions) {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    const p = { topic, payload, options };
    if (this.autoAck) {
      this.published.push(p);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.#pending.push({ p, resolve, reject }));
  }
  connect() {
    this.connected = true;
    this.#events?.connect();
  }
  disconnect() {
    this.connected = false;
    for (const x of this.#pending.splice(0)) x.reject(new Error('connection lost'));
    this.#events?.disconnect('test');
  }
  ackAll() {
    for (const x of this.#pending.splice(0)) {
      this.published.push(x.p);
      x.resolve();
    }
  }
  get inFlight() {
    return this.#pending.length;
  }
}

/** Let queued promise callbacks run. */
export const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
};
