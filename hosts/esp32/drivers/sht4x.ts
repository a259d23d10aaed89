// Sensirion SHT4x (SHT40/41/43/45) temperature and humidity sensor over I2C, an ECMA-419 sensor driver in the
// shape of Moddable's sht3x/shtc3 drivers. Datasheet: Sensirion SHT4x (sections named below); waits as in
// Sensirion's embedded-i2c-sht4x driver (sht4x_i2c.c). sample() returns
//   {thermometer: {temperature}, hygrometer: {humidity}}  in °C and %RH (0..100)
// (FIELDS.thermometer and FIELDS.hygrometer in src/core/sampler.ts), leaving out any word that fails its CRC.
//
// Protocol ("Command Overview"): a one-byte command; a measurement command is followed, once the conversion is
// done, by a 6-byte read: T word, CRC, RH word, CRC. While converting the sensor NACKs its read header, so a read
// too early throws. The high-precision conversion takes at most 8.3 ms ("Timings"); Sensirion's driver waits 10.
//
// Waiting, busy-wait free:
// - with options.delay (Moddable's Timer.delay on the device, as Moddable's sht3x uses), sample() sends the
//   command, sleeps, and reads: the values are taken at sample time;
// - without it, sample() reads the conversion the previous sample() (or the constructor) started and starts the
//   next one: no waiting, but the values are one sample interval old. Only the constructor, which must reset the
//   sensor and read its serial number, then polls the bus (each NACKed attempt is one short transaction, bounded).
// Failures never throw out of sample(): they go to options.onError and the field is left out.
// Portable: plain ECMAScript, runs on XS.
import { sensirionCrc8 } from './sensirion-crc8.js';
import { checkSensorOptions, hex, messageOf, report, stuckPattern, type I2CIo, type SensorOptions } from './sensor-bus.js';

/** One-byte commands, datasheet "Command Overview". */
export const Command = Object.freeze({
  MEASURE_HIGH_PRECISION: 0xfd,
  MEASURE_MEDIUM_PRECISION: 0xf6,
  MEASURE_LOW_PRECISION: 0xe0,
  READ_SERIAL_NUMBER: 0x89,
  SOFT_RESET: 0x94,
});

export type Precision = 'high' | 'medium' | 'low';

/** Command and wait per precision. Max conversion times ("Timings"): 8.3, 4.5, 1.7 ms; Sensirion waits 10, 5, 2. */
const MEASUREMENT: Readonly<Record<Precision, { readonly command: number; readonly waitMs: number }>> = Object.freeze({
  high: Object.freeze({ command: Command.MEASURE_HIGH_PRECISION, waitMs: 10 }),
  medium: Object.freeze({ command: Command.MEASURE_MEDIUM_PRECISION, waitMs: 5 }),
  low: Object.freeze({ command: Command.MEASURE_LOW_PRECISION, waitMs: 2 }),
});
const SOFT_RESET_WAIT_MS = 10; // ≤ 1 ms per "Timings"; Sensirion's driver waits 10
const SERIAL_NUMBER_WAIT_MS = 10; // as Sensirion's driver
const FRAME_LENGTH = 6; // word, CRC, word, CRC ("Data type & length")
const DEFAULT_ADDRESS = 0x44; // SHT4x-A; -B parts answer at 0x45, -C at 0x46
const DEFAULT_HZ = 400_000; // the sensor supports fast mode plus (1 MHz)
/** Bus polls tolerated while the sensor is busy: with delay(1) between them, or back to back without a delay. */
const POLLS_WITH_DELAY = 5;
const POLLS_WITHOUT_DELAY = 400;

export interface Sht4xConfiguration {
  /** Repeatability of the measurement command. Default 'high' (0xFD). */
  precision?: Precision;
}

export type Sht4xSample = {
  thermometer?: { temperature: number };
  hygrometer?: { humidity: number };
};

/** "Conversion of Signal Output": T = -45 + 175 * S_T / (2^16 - 1) °C. */
export function temperatureFromTicks(ticks: number): number {
  return -45 + (175 * ticks) / 65535;
}

/** "Conversion of Signal Output": RH = -6 + 125 * S_RH / (2^16 - 1) %RH, cropped to 0..100 as the datasheet advises. */
export function humidityFromTicks(ticks: number): number {
  const rh = -6 + (125 * ticks) / 65535;
  return rh < 0 ? 0 : rh > 100 ? 100 : rh;
}

export default class SHT4x {
  #io: I2CIo | undefined;
  readonly #name: string;
  readonly #onError: ((message: string) => void) | undefined;
  readonly #delay: ((ms: number) => void) | undefined;
  #precision: Precision = 'high';
  readonly #serialNumber: number;
  readonly #command = new Uint8Array(1);
  readonly #frame = new Uint8Array(FRAME_LENGTH);

  /** Opens the bus, resets the sensor and reads its serial number. Throws (after closing the bus) if there is no SHT4x. */
  constructor(options: SensorOptions<I2CIo>) {
    checkSensorOptions(options, 'sht4x');
    const address = options.sensor.address ?? DEFAULT_ADDRESS;
    this.#name = `sht4x@${hex(address)}`;
    this.#onError = options.onError;
    this.#delay = options.delay;
    this.#io = new options.sensor.io({ ...options.sensor, address, hz: options.sensor.hz ?? DEFAULT_HZ });
    try {
      this.#step('no response to soft reset (0x94)', () => this.#send(Command.SOFT_RESET));
      this.#delay?.(SOFT_RESET_WAIT_MS);
      const serial = this.#step('reading the serial number (0x89) failed', () => {
        this.#poll(() => this.#send(Command.READ_SERIAL_NUMBER));
        this.#delay?.(SERIAL_NUMBER_WAIT_MS);
        this.#poll(() => this.#io!.read(this.#frame));
        return this.#frame;
      });
      const stuck = stuckPattern(serial);
      if (stuck !== undefined) throw new Error(`${this.#name}: bus stuck: serial number reads all ${hex(stuck)}`);
      if (!this.#wordOk(0) || !this.#wordOk(3)) throw new Error(`${this.#name}: serial number fails its CRC: not an SHT4x, or a noisy bus`);
      this.#serialNumber = ((this.#word(0) << 16) | this.#word(3)) >>> 0;
      // Without a delay, start the conversion the first sample() reads.
      if (!this.#delay) this.#step('starting a conversion failed', () => this.#send(MEASUREMENT[this.#precision].command));
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** The sensor's 32-bit serial number (command 0x89), read at construction. */
  get serialNumber(): number {
    return this.#serialNumber;
  }

  get configuration(): Readonly<Required<Sht4xConfiguration>> {
    return Object.freeze({ precision: this.#precision });
  }

  /** Choose the measurement precision. Throws RangeError on an unknown value. */
  configure(options: Sht4xConfiguration): void {
    if (typeof options !== 'object' || options === null) throw new TypeError('sht4x: configure(options): expected an object');
    if (options.precision !== undefined) {
      if (!Object.hasOwn(MEASUREMENT, options.precision)) throw new RangeError('sht4x: precision: expected "high", "medium" or "low"');
      this.#precision = options.precision;
    }
  }

  /** One reading. Never throws: failures go to onError and the affected fields are left out (undefined if none). */
  sample(): Sht4xSample | undefined {
    const io = this.#io;
    if (!io) {
      this.#report('closed');
      return undefined;
    }
    const { command, waitMs } = MEASUREMENT[this.#precision];
    if (this.#delay) {
      try {
        this.#send(command);
        this.#delay(waitMs);
        this.#poll(() => io.read(this.#frame));
      } catch (error) {
        this.#report(`no measurement to read (${messageOf(error)})`);
        return undefined;
      }
    } else {
      let readError: unknown;
      try {
        io.read(this.#frame);
      } catch (error) {
        readError = error ?? new Error('read failed');
      }
      // Whatever the read did, the next sample() needs a conversion to read. While the previous one is still
      // running this fails too, harmlessly: it will be read next time.
      let startError: unknown;
      try {
        this.#send(command);
      } catch (error) {
        startError = error ?? new Error('write failed');
      }
      if (readError !== undefined) {
        this.#report(`no measurement to read (${messageOf(readError)}): no response, or sampling faster than the conversion time`);
        return undefined;
      }
      if (startError !== undefined) this.#report(`starting the next conversion failed: ${messageOf(startError)}`);
    }
    return this.#decode();
  }

  /** Releases the bus. The sensor idles by itself after a conversion. Safe to call twice. */
  close(): void {
    const io = this.#io;
    this.#io = undefined;
    io?.close();
  }

  #decode(): Sht4xSample | undefined {
    const stuck = stuckPattern(this.#frame);
    if (stuck !== undefined) {
      this.#report(`bus stuck: measurement reads all ${hex(stuck)}`);
      return undefined;
    }
    const out: Sht4xSample = {};
    if (this.#wordOk(0)) out.thermometer = { temperature: temperatureFromTicks(this.#word(0)) };
    else this.#report('temperature word fails its CRC; temperature left out');
    if (this.#wordOk(3)) out.hygrometer = { humidity: humidityFromTicks(this.#word(3)) };
    else this.#report('humidity word fails its CRC; humidity left out');
    return out.thermometer || out.hygrometer ? out : undefined;
  }

  #send(command: number): void {
    this.#command[0] = command;
    this.#io!.write(this.#command);
  }

  // Retry `attempt` while the sensor NACKs because it is busy; rethrow the last failure.
  #poll(attempt: () => unknown): void {
    const polls = this.#delay ? POLLS_WITH_DELAY : POLLS_WITHOUT_DELAY;
    for (let i = 1; ; i++) {
      try {
        attempt();
        return;
      } catch (error) {
        if (i >= polls) throw error;
        this.#delay?.(1);
      }
    }
  }

  #word(at: number): number {
    return (this.#frame[at]! << 8) | this.#frame[at + 1]!;
  }

  // "Checksum Calculation": each 2-byte word is followed by its CRC-8.
  #wordOk(at: number): boolean {
    return sensirionCrc8(this.#frame, at, 2) === this.#frame[at + 2];
  }

  #step<T>(what: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw new Error(`${this.#name}: ${what}: ${messageOf(error)}`, { cause: error });
    }
  }

  #report(problem: string): void {
    report(this.#onError, `${this.#name}: ${problem}`);
  }
}

export { SHT4x };
