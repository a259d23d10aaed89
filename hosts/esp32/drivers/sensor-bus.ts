// What a sensor driver is handed by the host, in the ECMA-419 Sensor Class Pattern as Moddable's drivers use it
// (modules/drivers/sensors/tmp117/tmp117.js): `options.sensor` carries the host's bus description (pins, port,
// address, hz) and `options.sensor.io`, the IO class to open it with — `embedded:io/i2c` or `embedded:io/smbus`
// on the device (Moddable typings/embedded_io/i2c.d.ts, smbus.d.ts), an emulated bus in tests. Pins never come
// from a driver. Only the members the drivers call are typed here.
// Portable: plain ECMAScript, runs on XS.

/** The slice of ECMA-419 I2C the drivers use. A NACK or bus timeout makes the call throw. */
export interface I2CIo {
  /** Write `buffer` in one transaction (START, address+W, bytes, STOP). */
  write(buffer: Uint8Array, stop?: boolean): unknown;
  /** Read `buffer.byteLength` bytes into `buffer` (START, address+R, bytes, STOP). */
  read(buffer: Uint8Array, stop?: boolean): unknown;
  close(): void;
}

/** The slice of ECMA-419 SMBus (register access over I2C) the drivers use. */
export interface SMBusIo extends I2CIo {
  readUint8(register: number): number;
  writeUint8(register: number, value: number): void;
  /** Burst read from `register` on into `buffer`. */
  readBuffer(register: number, buffer: Uint8Array): unknown;
}

/** Options an IO class is constructed with: everything in `options.sensor`, plus the address and clock rate. */
export interface IoOptions {
  address: number;
  hz: number;
  [property: string]: unknown;
}

export type IoClass<T extends I2CIo> = new (options: IoOptions) => T;

/** `options.sensor`: the host's bus (e.g. `{...device.I2C.default, io: SMBus}` on Moddable). */
export interface SensorBus<T extends I2CIo> {
  io: IoClass<T>;
  /** Overrides the driver's default address (e.g. 0x77 for a BME280 with SDO high). */
  address?: number;
  /** Overrides the driver's default clock rate. */
  hz?: number;
  [property: string]: unknown;
}

export interface SensorOptions<T extends I2CIo> {
  sensor: SensorBus<T>;
  /** Told about each failure with a message naming the sensor and the problem (Moddable drivers pass a string). */
  onError?: (message: string) => void;
  /**
   * Blocks for `ms` milliseconds without spinning: Moddable's `Timer.delay` on the device. Optional; without it a
   * driver that must wait for a conversion reads the one it started on the previous sample() instead.
   */
  delay?: (ms: number) => void;
}

/** Check the shape of the constructor options; a malformed argument throws TypeError naming it (house style). */
export function checkSensorOptions(options: unknown, driver: string): void {
  const o = options as SensorOptions<I2CIo> | undefined;
  if (typeof o !== 'object' || o === null) throw new TypeError(`${driver}: options: expected an object`);
  if (typeof o.sensor !== 'object' || o.sensor === null) throw new TypeError(`${driver}: options.sensor: expected the host's bus description`);
  if (typeof o.sensor.io !== 'function') throw new TypeError(`${driver}: options.sensor.io: expected an IO class`);
  if (o.sensor.address !== undefined && !(Number.isInteger(o.sensor.address) && o.sensor.address >= 0x08 && o.sensor.address <= 0x77)) {
    throw new RangeError(`${driver}: options.sensor.address: expected a 7-bit I2C address`);
  }
  if (o.onError !== undefined && typeof o.onError !== 'function') throw new TypeError(`${driver}: options.onError: expected a function`);
  if (o.delay !== undefined && typeof o.delay !== 'function') throw new TypeError(`${driver}: options.delay: expected a function`);
}

/** Pass a failure to onError; an error handler that throws must not stop sampling. */
export function report(onError: ((message: string) => void) | undefined, message: string): void {
  try {
    onError?.(message);
  } catch {
    // the sample loop never throws
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The byte every byte of `bytes` equals when that byte is 0x00 or 0xFF: what a stuck bus reads (SDA held low, or
 * released with nothing driving it). Undefined for any other content.
 */
export function stuckPattern(bytes: Uint8Array): 0x00 | 0xff | undefined {
  const first = bytes[0];
  if (first !== 0x00 && first !== 0xff) return undefined;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== first) return undefined;
  return first;
}

export function hex(value: number, digits = 2): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}
