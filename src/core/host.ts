// The small interfaces through which a host (ESP32/Moddable, desktop/Node) gives the core what it needs.
// The core never reaches for a runtime API itself.

export interface Clock {
  /** Wall-clock time, Unix milliseconds. */
  now(): number;
  /** True once the wall clock is trustworthy (SNTP done on the device). Nothing is signed before. */
  synced(): boolean;
  /** Monotonic milliseconds since boot, for uptime and intervals. */
  monotonic(): number;
}

export interface Timer {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

/** Small named records that survive reboot; set() is atomic (old or new value after power loss, never torn). */
export interface Storage {
  get(name: string): Uint8Array | undefined;
  set(name: string, value: Uint8Array): void;
}

export interface Rng {
  /** Cryptographically strong random bytes (hardware RNG on the device). */
  bytes(length: number): Uint8Array;
}

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
}

export interface TransportEvents {
  connect(): void;
  disconnect(reason: string): void;
}

/** A message transport (MQTT). publish() resolves when delivery is acknowledged (PUBACK for QoS 1). */
export interface Transport {
  readonly connected: boolean;
  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void>;
  setEvents(events: TransportEvents): void;
}

/**
 * An ECMA-419 sensor (Sensor Class Pattern, ECMA-419 §13): sample() returns a plain object such as
 * {thermometer: {temperature}} (Moddable's drivers) or a flat {temperature} (single-purpose drivers).
 * It may throw or return undefined on failure; the sampler turns that into onError and leaves the field out.
 */
export interface Sensor {
  sample(): Record<string, unknown> | undefined;
  close?(): void;
}

export const silentLog: Log = Object.freeze({ info() {}, warn() {}, error() {} });
