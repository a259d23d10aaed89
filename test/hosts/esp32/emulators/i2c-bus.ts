// An emulated I2C bus with a simulated clock, and the IO class a driver receives as `options.sensor.io`. The IO
// class follows Moddable's embedded:io/smbus (typings/embedded_io/smbus.d.ts), which extends embedded:io/i2c:
// write/read move whole transactions, the SMBus register methods are a register write followed by a read, and a
// NACK or timeout throws — as the ESP32 implementation does. Each transaction advances the clock (0.1 ms by
// default, about a short transfer at 400 kHz), so polling a busy device eventually sees it finish; `delay` is
// what a test passes as the driver's options.delay.
//
// Faults: `bus.fault` makes every transaction NACK ('nack'), time out ('timeout'), or read all 0xFF/0x00 while
// writes still go through ('stuck-high'/'stuck-low'); a missing device NACKs its address.

/** A device on the bus. Throw I2CNack to NACK. `now` is the bus clock in ms. */
export interface EmulatedI2CDevice {
  write(bytes: Uint8Array, now: number): void;
  read(length: number, now: number): Uint8Array;
}

export class I2CNack extends Error {
  constructor(address: number, what = 'address') {
    super(`I2C: no acknowledge from 0x${address.toString(16)} (${what})`);
    this.name = 'I2CNack';
  }
}

export type BusFault = 'nack' | 'timeout' | 'stuck-high' | 'stuck-low';

export interface Transaction {
  address: number;
  kind: 'write' | 'read';
  bytes: number[];
  at: number;
}

export interface EmulatedIo {
  readonly options: Readonly<Record<string, unknown>>;
  readonly closed: boolean;
  write(buffer: Uint8Array | ArrayBuffer, stop?: boolean): void;
  read(target: Uint8Array | number, stop?: boolean): ArrayBuffer | undefined;
  readUint8(register: number): number;
  writeUint8(register: number, value: number): void;
  readUint16(register: number, bigEndian?: boolean): number;
  writeUint16(register: number, value: number, bigEndian?: boolean): void;
  readBuffer(register: number, target: Uint8Array | number): ArrayBuffer | undefined;
  writeBuffer(register: number, buffer: Uint8Array): void;
  close(): void;
}

export class EmulatedI2CBus {
  readonly #devices = new Map<number, EmulatedI2CDevice>();
  readonly #opened: EmulatedIo[] = [];
  /** Simulated time, ms. */
  now = 0;
  /** Time one transaction takes, ms. */
  transactionMs = 0.1;
  fault: BusFault | undefined;
  readonly log: Transaction[] = [];
  /** The IO class to pass as `options.sensor.io`. */
  readonly io: new (options: Record<string, unknown>) => EmulatedIo;
  /** A blocking delay on the simulated clock: what a test passes as the driver's `options.delay`. */
  readonly delay = (ms: number): void => {
    if (!(ms >= 0)) throw new RangeError(`delay: ${ms}`);
    this.delays.push(ms);
    this.now += ms;
  };
  readonly delays: number[] = [];

  constructor() {
    this.io = makeIoClass(this);
  }

  attach(address: number, device: EmulatedI2CDevice): this {
    this.#devices.set(address, device);
    return this;
  }

  detach(address: number): void {
    this.#devices.delete(address);
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** IO instances opened on this bus, in order. */
  get opened(): readonly EmulatedIo[] {
    return this.#opened;
  }

  /** IO instances not yet closed. */
  get open(): readonly EmulatedIo[] {
    return this.#opened.filter((io) => !io.closed);
  }

  /** Register writes (first byte = register) sent to `address`, in order. */
  writesTo(address: number): number[][] {
    return this.log.filter((t) => t.address === address && t.kind === 'write').map((t) => t.bytes);
  }

  registerIo(io: EmulatedIo): void {
    this.#opened.push(io);
  }

  transfer(address: number, kind: 'write', bytes: Uint8Array): void;
  transfer(address: number, kind: 'read', length: number): Uint8Array;
  transfer(address: number, kind: 'write' | 'read', arg: Uint8Array | number): Uint8Array | void {
    this.now += this.transactionMs;
    const at = this.now;
    if (this.fault === 'nack') throw new I2CNack(address);
    if (this.fault === 'timeout') throw new Error('I2C: bus timeout (SCL held low)');
    if (kind === 'read' && (this.fault === 'stuck-high' || this.fault === 'stuck-low')) {
      const bytes = new Uint8Array(arg as number).fill(this.fault === 'stuck-high' ? 0xff : 0x00);
      this.log.push({ address, kind, bytes: [...bytes], at });
      return bytes;
    }
    const device = this.#devices.get(address);
    if (kind === 'write') {
      if (this.fault !== undefined) return; // a stuck line: the write goes nowhere
      if (!device) throw new I2CNack(address);
      const bytes = Uint8Array.from(arg as Uint8Array);
      device.write(bytes, at);
      this.log.push({ address, kind, bytes: [...bytes], at });
      return;
    }
    if (!device) throw new I2CNack(address);
    const bytes = device.read(arg as number, at);
    if (bytes.length !== arg) throw new Error(`emulated device returned ${bytes.length} bytes, ${String(arg)} requested`);
    this.log.push({ address, kind, bytes: [...bytes], at });
    return bytes;
  }
}

function toBytes(buffer: Uint8Array | ArrayBuffer): Uint8Array {
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
}

function makeIoClass(bus: EmulatedI2CBus): new (options: Record<string, unknown>) => EmulatedIo {
  return class EmulatedSMBus implements EmulatedIo {
    readonly options: Readonly<Record<string, unknown>>;
    readonly #address: number;
    #closed = false;

    constructor(options: Record<string, unknown>) {
      const { address, hz } = options;
      if (typeof address !== 'number' || !Number.isInteger(address)) throw new TypeError('I2C: address required');
      if (typeof hz !== 'number' || !(hz > 0)) throw new TypeError('I2C: hz required');
      this.options = Object.freeze({ ...options });
      this.#address = address;
      bus.registerIo(this);
    }

    get closed(): boolean {
      return this.#closed;
    }

    get format(): 'buffer' {
      return 'buffer';
    }

    #open(): void {
      if (this.#closed) throw new Error('I2C: closed');
    }

    write(buffer: Uint8Array | ArrayBuffer): void {
      this.#open();
      bus.transfer(this.#address, 'write', toBytes(buffer));
    }

    read(target: Uint8Array | number): ArrayBuffer | undefined {
      this.#open();
      if (typeof target === 'number') return bus.transfer(this.#address, 'read', target).slice().buffer;
      target.set(bus.transfer(this.#address, 'read', target.length));
      return undefined;
    }

    readUint8(register: number): number {
      this.#open();
      bus.transfer(this.#address, 'write', Uint8Array.of(register));
      return bus.transfer(this.#address, 'read', 1)[0]!;
    }

    writeUint8(register: number, value: number): void {
      this.#open();
      bus.transfer(this.#address, 'write', Uint8Array.of(register, value & 0xff));
    }

    readUint16(register: number, bigEndian = false): number {
      this.#open();
      bus.transfer(this.#address, 'write', Uint8Array.of(register));
      const b = bus.transfer(this.#address, 'read', 2);
      return bigEndian ? (b[0]! << 8) | b[1]! : b[0]! | (b[1]! << 8);
    }

    writeUint16(register: number, value: number, bigEndian = false): void {
      this.#open();
      const hi = (value >> 8) & 0xff;
      const lo = value & 0xff;
      bus.transfer(this.#address, 'write', bigEndian ? Uint8Array.of(register, hi, lo) : Uint8Array.of(register, lo, hi));
    }

    readBuffer(register: number, target: Uint8Array | number): ArrayBuffer | undefined {
      this.#open();
      bus.transfer(this.#address, 'write', Uint8Array.of(register));
      return this.read(target);
    }

    writeBuffer(register: number, buffer: Uint8Array): void {
      this.#open();
      bus.transfer(this.#address, 'write', Uint8Array.of(register, ...buffer));
    }

    close(): void {
      this.#closed = true;
    }
  };
}
