// An emulated UART for driver tests: the port's `Io` is the IO class a driver receives as `options.sensor.io`, and
// behaves like ECMA-419 Serial with format "buffer" (Moddable documentation/io/io.md "Serial"): read() returns
// every byte in the receive FIFO as an ArrayBuffer, or undefined when it is empty; write() throws when the output
// FIFO cannot take the data; after close() no callback is invoked.
// The device side calls send() to put bytes on the line; each send() is one event-loop turn that ends in
// onReadable, never inside a driver's write() (replies the device queues while handling a write are delivered
// by deliver()). Faults: `writeFault` (write throws), `dropTx` (the sensor's RX wire is cut: writes vanish).
import type { SerialIo, SerialIoOptions } from '../../../../hosts/esp32/drivers/serial-frames.js';

export class EmulatedSerialPort {
  /** Options of every io opened on this port. */
  readonly opened: SerialIoOptions[] = [];
  /** Bytes the driver wrote, one entry per write(). */
  readonly written: Uint8Array[] = [];
  /** When set, write() throws an Error with this message (output FIFO full, port fault). */
  writeFault: string | undefined;
  /** When true, written bytes never reach the device. */
  dropTx = false;
  /** The device: sees every byte the driver writes. */
  onHostWrite: ((bytes: Uint8Array) => void) | undefined;
  /** The IO class to pass as `options.sensor.io`. */
  readonly Io: new (options: SerialIoOptions) => SerialIo;

  #rx = new Uint8Array(0);
  #io: SerialIo | undefined;
  #options: SerialIoOptions | undefined;
  #closed = false;
  readonly #queued: Uint8Array[] = [];

  constructor() {
    const port = this;
    this.Io = class EmulatedSerial implements SerialIo {
      constructor(options: SerialIoOptions) {
        if (typeof options.baud !== 'number') throw new TypeError('Serial: baud required');
        if (port.#io && !port.#closed) throw new Error('Serial: port in use');
        port.opened.push(options);
        port.#options = options;
        port.#io = this;
        port.#closed = false;
      }
      read(): ArrayBuffer | undefined {
        if (port.#closed) throw new Error('Serial: closed');
        if (port.#rx.length === 0) return undefined;
        const out = port.#rx.slice().buffer;
        port.#rx = new Uint8Array(0);
        return out;
      }
      write(data: ArrayBuffer | ArrayBufferView): void {
        if (port.#closed) throw new Error('Serial: closed');
        if (port.writeFault) throw new Error(port.writeFault);
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
        port.written.push(bytes);
        if (!port.dropTx) port.onHostWrite?.(bytes);
      }
      close(): void {
        port.#closed = true;
      }
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Puts bytes on the line towards the driver and runs its onReadable, as one event-loop turn. */
  send(bytes: Uint8Array | readonly number[]): void {
    if (!this.#io || this.#closed || !this.#options) return;
    const chunk = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    const rx = new Uint8Array(this.#rx.length + chunk.length);
    rx.set(this.#rx);
    rx.set(chunk, this.#rx.length);
    this.#rx = rx;
    this.#options.onReadable.call(this.#io, this.#rx.length);
  }

  /** Sends `bytes` cut at the given lengths, one onReadable per piece (the rest goes in a last piece). */
  sendInPieces(bytes: Uint8Array, lengths: readonly number[]): void {
    let at = 0;
    for (const length of lengths) {
      this.send(bytes.subarray(at, at + length));
      at += length;
    }
    if (at < bytes.length) this.send(bytes.subarray(at));
  }

  /** The device queues a reply while handling a write; it reaches the driver on the next deliver(). */
  queue(bytes: Uint8Array): void {
    this.#queued.push(bytes);
  }

  /** Delivers queued replies, each as its own turn. */
  deliver(): void {
    for (const bytes of this.#queued.splice(0)) this.send(bytes);
  }

  /** The writes, as lowercase hex strings. */
  get writtenHex(): string[] {
    return this.written.map((b) => Buffer.from(b).toString('hex'));
  }
}
