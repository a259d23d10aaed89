// What the UART particulate drivers (pms5003.ts, sds011.ts) share: the shape of the ECMA-419 Serial IO class they
// drive, their common options (clock, staleness, warm-up), and a reader that reassembles frames split across
// onReadable calls and resynchronises on garbage.
// Portable: no Node APIs, no timers; runs on XS.
import { messageOf, report } from './sensor-bus.js';

export { messageOf };

/**
 * The part of the ECMA-419 Serial IO class the drivers use, with format "buffer" (Moddable
 * typings/embedded_io/serial.d.ts; documentation/io/io.md "Serial"): read() returns every byte waiting in the
 * FIFO as an ArrayBuffer, or undefined when there is none; write() takes an ArrayBuffer or a typed array and
 * throws when the output FIFO cannot hold all of it.
 */
export interface SerialIo {
  read(): ArrayBuffer | number | undefined;
  write(data: ArrayBuffer | ArrayBufferView): void;
  close(): void;
}

export interface SerialIoOptions {
  baud: number;
  format: 'buffer';
  onReadable: (this: SerialIo, bytes: number) => void;
  [option: string]: unknown;
}

export type SerialIoClass = new (options: SerialIoOptions) => SerialIo;

export interface SerialSensorOptions {
  /**
   * The host's UART: `{io: device.io.Serial, port, receive, transmit}` (ECMA-419 §13 sensor option). Pins and port
   * come from the host; the driver only adds baud rate, format and callback.
   */
  sensor: { io: SerialIoClass; [option: string]: unknown };
  /** Called with a message naming the sensor whenever a fault is seen; the driver never throws from sample(). */
  onError?: (message: string) => void;
  /**
   * Milliseconds from a clock that never jumps (on the device: the host's Clock.monotonic(), not the wall
   * clock, which leaps at SNTP sync). Default Date.now, which exists on XS.
   */
  now?: () => number;
  /** A frame older than this (ms) is stale: sample() reports "no data" and returns nothing. */
  maxAge?: number;
  /** After power-up or wake-up, frames are ignored for this long (ms) while the fan settles. */
  warmUp?: number;
}

/** Reads one protocol's frames out of a byte stream. */
export interface FrameProtocol {
  /** First byte of every frame; everything before it is garbage. */
  readonly start: number;
  /** Bytes needed before lengthOf() can decide. */
  readonly headerLength: number;
  /** Longest frame; the reader keeps at least four of them. */
  readonly maxLength: number;
  /**
   * Total length of the frame whose header is at the front of `bytes`, or 0 when the header is not one this
   * protocol sends (the start byte was garbage).
   */
  lengthOf(bytes: Uint8Array): number;
}

/**
 * Reassembles frames from chunks as they arrive. A frame split over several reads is held until complete;
 * bytes that cannot start a frame are skipped and counted in `skipped`. accept() gets each complete candidate
 * (checksum not yet checked); the candidate is consumed whether or not it was valid, so one corrupt frame costs
 * at most itself and the frame it overlaps.
 */
export class FrameReader {
  readonly #protocol: FrameProtocol;
  readonly #buffer: Uint8Array;
  #length = 0;
  /** Bytes discarded as garbage since the driver last reset this counter. */
  skipped = 0;

  constructor(protocol: FrameProtocol) {
    this.#protocol = protocol;
    this.#buffer = new Uint8Array(protocol.maxLength * 4);
  }

  feed(chunk: Uint8Array, accept: (frame: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.#buffer.length - this.#length);
      this.#buffer.set(chunk.subarray(offset, offset + take), this.#length);
      this.#length += take;
      offset += take;
      this.#drain(accept);
    }
  }

  /** Forget a partial frame (after close or a mode change that the sensor answers from scratch). */
  clear(): void {
    this.#length = 0;
  }

  #drain(accept: (frame: Uint8Array) => void): void {
    const p = this.#protocol;
    for (;;) {
      let at = 0;
      while (at < this.#length && this.#buffer[at] !== p.start) at++;
      if (at > 0) this.#discard(at, true);
      if (this.#length < p.headerLength) return;
      const length = p.lengthOf(this.#buffer.subarray(0, this.#length));
      if (length < p.headerLength || length > p.maxLength) {
        this.#discard(1, true);
        continue;
      }
      if (this.#length < length) return;
      const frame = this.#buffer.slice(0, length);
      this.#discard(length, false);
      accept(frame);
    }
  }

  #discard(count: number, garbage: boolean): void {
    this.#buffer.copyWithin(0, count, this.#length);
    this.#length -= count;
    if (garbage) this.skipped += count;
  }
}

/** Everything waiting in the Serial FIFO, as bytes (format "buffer"). */
export function readAvailable(io: SerialIo): Uint8Array | undefined {
  const data = io.read();
  if (data === undefined || typeof data === 'number' || data.byteLength === 0) return undefined;
  return new Uint8Array(data);
}

/** onError with the sensor's name in front; a throwing handler cannot escape into the io callback or sample loop. */
export function reporter(name: string, onError: ((message: string) => void) | undefined): (message: string) => void {
  return (message) => report(onError, `${name}: ${message}`);
}

/** Checks a non-negative duration option and returns it or the default. */
export function durationOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name}: expected a non-negative number of milliseconds`);
  }
  return value;
}

export function hex(bytes: Uint8Array | readonly number[]): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}
