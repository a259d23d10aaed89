// Bosch BME280 temperature, humidity and pressure sensor over SMBus (I2C), an ECMA-419 sensor driver in the shape
// of Moddable's (modules/drivers/sensors/bmp280/bmp280.js, which rejects a BME280: it accepts chip id 0x58 only).
// Datasheet: BST-BME280-DS002 rev 1.6. sample() returns
//   {thermometer: {temperature}, hygrometer: {humidity}, barometer: {pressure}}  in °C, %RH (0..100), Pa
// (FIELDS.thermometer, FIELDS.hygrometer — not hygrometerFraction: Moddable's BME68x reports 0..1 — and
// FIELDS.barometer in src/core/sampler.ts; PROTOCOL.md §4.3 units), leaving out what it could not measure.
//
// Waiting: in normal mode (the default) the chip measures on its own every `standby` ms and sample() only reads
// the shadowed result registers (§3.3.4, §4.1), so it never waits. In forced mode, with options.delay (Moddable's
// Timer.delay on the device) sample() starts a conversion, sleeps the §9.1 maximum measurement time and reads
// it; without options.delay it reads the conversion it started on the previous sample() and starts the next, so
// the values are one sample interval old.
// Failures never throw out of sample(): they go to options.onError and the field is left out.
// Portable: plain ECMAScript, runs on XS.
import {
  CALIBRATION_H_LENGTH,
  CALIBRATION_TP_LENGTH,
  compensateHumidity,
  compensatePressure,
  compensateTemperature,
  parseCalibration,
  type Bme280Calibration,
} from './bme280-compensation.js';
import { checkSensorOptions, hex, messageOf, report, stuckPattern, type SensorOptions, type SMBusIo } from './sensor-bus.js';

/** Register map, §5.3 Table 18 and §5.4. */
export const Register = Object.freeze({
  CALIB_TP: 0x88, // calib00..calib25, §4.2.2 Table 16
  CHIP_ID: 0xd0, // §5.4.1
  RESET: 0xe0, // §5.4.2
  CALIB_H: 0xe1, // calib26..calib32, §4.2.2 Table 16
  CTRL_HUM: 0xf2, // §5.4.3 osrs_h[2:0]; takes effect only after a write to ctrl_meas
  STATUS: 0xf3, // §5.4.4 measuring[3], im_update[0]
  CTRL_MEAS: 0xf4, // §5.4.5 osrs_t[7:5] osrs_p[4:2] mode[1:0]
  CONFIG: 0xf5, // §5.4.6 t_sb[7:5] filter[4:2] spi3w_en[0]; writes in normal mode may be ignored
  DATA: 0xf7, // press 0xF7..0xF9, temp 0xFA..0xFC, hum 0xFD..0xFE (§5.4.7..5.4.9), burst read per §4
});

export const CHIP_ID = 0x60; // §5.4.1
const BMP280_CHIP_IDS = Object.freeze([0x56, 0x57, 0x58]); // §5.2 Table 17: BMP280 samples and mass production
const RESET_WORD = 0xb6; // §5.4.2
const STATUS_MEASURING = 0x08;
const STATUS_IM_UPDATE = 0x01;
const MODE_SLEEP = 0b00;
const MODE_FORCED = 0b01;
const MODE_NORMAL = 0b11;
/** Output of a skipped (or not yet run) measurement: §5.4.5 Tables 23/24 for press/temp, §5.4.3 Table 20 for hum. */
const SKIPPED_20 = 0x80000;
const SKIPPED_16 = 0x8000;
const DATA_LENGTH = 8; // 0xF7..0xFE
const DEFAULT_ADDRESS = 0x76; // SDO to GND; 0x77 with SDO high (§6.2)
const DEFAULT_HZ = 400_000;

/** osrs_x codes, §5.4.3 Table 20 and §5.4.5 Tables 23/24 (0 = skipped). */
const OVERSAMPLING: Readonly<Record<string, number>> = Object.freeze({ 0: 0b000, 1: 0b001, 2: 0b010, 4: 0b011, 8: 0b100, 16: 0b101 });
/** IIR filter coefficient codes, §5.4.6 Table 28 (0 = off). */
const FILTER: Readonly<Record<string, number>> = Object.freeze({ 0: 0b000, 2: 0b001, 4: 0b010, 8: 0b011, 16: 0b100 });
/** Normal-mode standby times in ms, §5.4.6 Table 27 (10 and 20 ms are BME280-only, §5.2 Table 17). */
const STANDBY: Readonly<Record<string, number>> = Object.freeze({ 0.5: 0b000, 62.5: 0b001, 125: 0b010, 250: 0b011, 500: 0b100, 1000: 0b101, 10: 0b110, 20: 0b111 });

/** The register code of `value` in `table`, or undefined if the table has no such setting. */
function codeOf(table: Readonly<Record<string, number>>, value: unknown): number | undefined {
  return typeof value === 'number' && Object.hasOwn(table, String(value)) ? table[String(value)] : undefined;
}

export type Oversampling = 0 | 1 | 2 | 4 | 8 | 16;
export type FilterCoefficient = 0 | 2 | 4 | 8 | 16;
export type StandbyMs = 0.5 | 10 | 20 | 62.5 | 125 | 250 | 500 | 1000;

export interface Bme280Configuration {
  /** 'normal': the chip cycles by itself (default). 'forced': one conversion per sample(). */
  mode?: 'normal' | 'forced';
  /** Oversampling ×1..×16; 0 skips the quantity (temperature is needed for the other two). Default 1. */
  temperatureOversampling?: Oversampling;
  pressureOversampling?: Oversampling;
  humidityOversampling?: Oversampling;
  /** IIR filter coefficient for temperature and pressure; 0 = off (default). */
  filter?: FilterCoefficient;
  /** Normal-mode standby between conversions, ms. Default 1000. */
  standby?: StandbyMs;
}

// §3.5.1 recommends, for weather monitoring, forced mode once a minute with ×1 oversampling and the filter off, to
// keep current and self-heating minimal. We keep ×1 and filter off but default to normal mode with a 1 s standby,
// so that sample() never waits and its values are at most a second old, for a little more current on a node that
// runs Wi-Fi anyway. configure({mode: 'forced'}) plus options.delay gives §3.5.1 exactly.
const DEFAULTS: Readonly<Required<Bme280Configuration>> = Object.freeze({
  mode: 'normal',
  temperatureOversampling: 1,
  pressureOversampling: 1,
  humidityOversampling: 1,
  filter: 0,
  standby: 1000,
});

export type Bme280Sample = {
  thermometer?: { temperature: number };
  hygrometer?: { humidity: number };
  barometer?: { pressure: number };
};

/** §9.1: maximum active measurement time in ms for the given oversampling. */
export function maxMeasurementMs(c: Pick<Bme280Configuration, 'temperatureOversampling' | 'pressureOversampling' | 'humidityOversampling'>): number {
  const t = c.temperatureOversampling ?? 0;
  const p = c.pressureOversampling ?? 0;
  const h = c.humidityOversampling ?? 0;
  return 1.25 + (t ? 2.3 * t : 0) + (p ? 2.3 * p + 0.575 : 0) + (h ? 2.3 * h + 0.575 : 0);
}

export default class BME280 {
  #io: SMBusIo | undefined;
  readonly #name: string;
  readonly #onError: ((message: string) => void) | undefined;
  readonly #delay: ((ms: number) => void) | undefined;
  readonly #calibration: Bme280Calibration;
  #config: Required<Bme280Configuration> = { ...DEFAULTS };
  readonly #data = new Uint8Array(DATA_LENGTH);

  /** Opens the bus and checks, resets and reads the chip. Throws (after closing the bus) if there is no BME280. */
  constructor(options: SensorOptions<SMBusIo>) {
    checkSensorOptions(options, 'bme280');
    const address = options.sensor.address ?? DEFAULT_ADDRESS;
    this.#name = `bme280@${hex(address)}`;
    this.#onError = options.onError;
    this.#delay = options.delay;
    const io = (this.#io = new options.sensor.io({ ...options.sensor, address, hz: options.sensor.hz ?? DEFAULT_HZ }));
    try {
      const id = this.#step('no response reading the chip id', () => io.readUint8(Register.CHIP_ID));
      const wrong = this.#chipIdProblem(id);
      if (wrong) throw new Error(`${this.#name}: ${wrong}`);
      this.#step('soft reset failed', () => io.writeUint8(Register.RESET, RESET_WORD));
      this.#awaitNvmCopy();
      const tp = new Uint8Array(CALIBRATION_TP_LENGTH);
      const h = new Uint8Array(CALIBRATION_H_LENGTH);
      this.#step('calibration readout failed', () => {
        io.readBuffer(Register.CALIB_TP, tp);
        io.readBuffer(Register.CALIB_H, h);
      });
      const stuck = stuckPattern(tp);
      if (stuck !== undefined) throw new Error(`${this.#name}: calibration reads all ${hex(stuck)}: bus stuck or NVM not loaded`);
      this.#calibration = parseCalibration(tp, h);
      if (this.#calibration.dig_T1 === 0 || this.#calibration.dig_P1 === 0) throw new Error(`${this.#name}: calibration invalid (dig_T1 or dig_P1 is 0)`);
      this.configure(DEFAULTS);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** The configuration in force. */
  get configuration(): Readonly<Required<Bme280Configuration>> {
    return Object.freeze({ ...this.#config });
  }

  /** Change any of the settings and write them to the chip. Throws RangeError on an unknown value, Error on a bus failure. */
  configure(options: Bme280Configuration): void {
    if (typeof options !== 'object' || options === null) throw new TypeError('bme280: configure(options): expected an object');
    const next = { ...this.#config };
    if (options.mode !== undefined) {
      if (options.mode !== 'normal' && options.mode !== 'forced') throw new RangeError('bme280: mode: expected "normal" or "forced"');
      next.mode = options.mode;
    }
    for (const key of ['temperatureOversampling', 'pressureOversampling', 'humidityOversampling'] as const) {
      const value = options[key];
      if (value === undefined) continue;
      if (codeOf(OVERSAMPLING, value) === undefined) throw new RangeError(`bme280: ${key}: expected 0, 1, 2, 4, 8 or 16`);
      next[key] = value;
    }
    if (options.filter !== undefined) {
      if (codeOf(FILTER, options.filter) === undefined) throw new RangeError('bme280: filter: expected 0, 2, 4, 8 or 16');
      next.filter = options.filter;
    }
    if (options.standby !== undefined) {
      if (codeOf(STANDBY, options.standby) === undefined) throw new RangeError('bme280: standby: expected 0.5, 10, 20, 62.5, 125, 250, 500 or 1000 (ms)');
      next.standby = options.standby;
    }
    if (!this.#io) throw new Error(`${this.#name}: closed`);
    this.#config = next;
    if (next.mode === 'normal') this.#step('writing the configuration failed', () => this.#writeConfiguration(MODE_NORMAL));
    // Forced mode without delay: start the conversion the first sample() will read.
    else if (!this.#delay) this.#step('starting a conversion failed', () => this.#writeConfiguration(MODE_FORCED));
    else this.#step('writing the configuration failed', () => this.#writeConfiguration(MODE_SLEEP));
  }

  /** One reading. Never throws: failures go to onError and the affected fields are left out (undefined if none). */
  sample(): Bme280Sample | undefined {
    const io = this.#io;
    if (!io) {
      this.#report('closed');
      return undefined;
    }
    try {
      const wrong = this.#chipIdProblem(io.readUint8(Register.CHIP_ID));
      if (wrong) {
        this.#report(wrong);
        return undefined;
      }
      if (this.#config.mode === 'normal') io.readBuffer(Register.DATA, this.#data);
      else if (!this.#readForced(io)) return undefined;
    } catch (error) {
      this.#report(`no response: ${messageOf(error)}`);
      return undefined;
    }
    try {
      return this.#compensate();
    } catch (error) {
      this.#report(`unexpected failure: ${messageOf(error)}`); // not expected: the formulas do not throw
      return undefined;
    }
  }

  /** Puts the chip to sleep and releases the bus. Safe to call twice. */
  close(): void {
    const io = this.#io;
    this.#io = undefined;
    if (!io) return;
    try {
      io.writeUint8(Register.CTRL_MEAS, MODE_SLEEP);
    } catch {
      // the bus is released either way
    }
    io.close();
  }

  // Forced mode: fill #data with a completed conversion; false (reported) if there is none. Bus errors throw.
  #readForced(io: SMBusIo): boolean {
    const delay = this.#delay;
    if (delay) {
      this.#writeConfiguration(MODE_FORCED);
      const waitMs = Math.ceil(maxMeasurementMs(this.#config));
      delay(waitMs);
      for (let polls = 0; io.readUint8(Register.STATUS) & STATUS_MEASURING; polls++) {
        if (polls === 3) {
          this.#report(`forced conversion still running ${waitMs + polls} ms after it was started`);
          return false;
        }
        delay(1);
      }
      io.readBuffer(Register.DATA, this.#data);
      return true;
    }
    if (io.readUint8(Register.STATUS) & STATUS_MEASURING) {
      this.#report('the conversion started by the previous sample() is still running: sampling faster than the measurement time');
      return false;
    }
    io.readBuffer(Register.DATA, this.#data);
    try {
      this.#writeConfiguration(MODE_FORCED); // the conversion the next sample() reads
    } catch (error) {
      this.#report(`starting the next conversion failed: ${messageOf(error)}`);
    }
    return true;
  }

  #compensate(): Bme280Sample | undefined {
    const d = this.#data;
    const stuck = stuckPattern(d);
    if (stuck !== undefined) {
      this.#report(`bus stuck: data registers 0xf7..0xfe read all ${hex(stuck)}`);
      return undefined;
    }
    let why: string | undefined;
    const skipped = (raw: string): string => `${raw}: ${(why ??= this.#whySkipped())}`;
    const adcP = (d[0]! << 12) | (d[1]! << 4) | (d[2]! >> 4);
    const adcT = (d[3]! << 12) | (d[4]! << 4) | (d[5]! >> 4);
    const adcH = (d[6]! << 8) | d[7]!;
    if (adcT === SKIPPED_20) {
      this.#report(`temperature not measured (${skipped('raw 0x80000')}); pressure and humidity need it`);
      return undefined;
    }
    const t = compensateTemperature(adcT, this.#calibration);
    const out: Bme280Sample = { thermometer: { temperature: t.centiCelsius / 100 } };
    if (this.#config.pressureOversampling !== 0) {
      if (adcP === SKIPPED_20) this.#report(`pressure not measured (${skipped('raw 0x80000')})`);
      else {
        const q24_8 = compensatePressure(adcP, t.tFine, this.#calibration);
        if (q24_8 === 0) this.#report('pressure compensation undefined (division by zero)');
        else out.barometer = { pressure: q24_8 / 256 };
      }
    }
    if (this.#config.humidityOversampling !== 0) {
      if (adcH === SKIPPED_16) this.#report(`humidity not measured (${skipped('raw 0x8000')})`);
      else out.hygrometer = { humidity: compensateHumidity(adcH, t.tFine, this.#calibration) / 1024 };
    }
    return out;
  }

  // Why an enabled quantity read as skipped. In normal mode either no conversion has completed since the settings
  // were written, or the chip was reset (power glitch) and lost them: then they are written again so the next
  // sample() works. In forced mode the settings were written with the conversion, so it was lost to a reset.
  #whySkipped(): string {
    if (this.#config.mode === 'forced') {
      return this.#delay ? 'the conversion was lost (chip reset during it?)' : 'the conversion was lost (chip reset?); a new one has been started';
    }
    const io = this.#io!;
    try {
      const c = this.#config;
      const expectedMeas = (OVERSAMPLING[c.temperatureOversampling]! << 5) | (OVERSAMPLING[c.pressureOversampling]! << 2) | MODE_NORMAL;
      const lost = io.readUint8(Register.CTRL_MEAS) !== expectedMeas || (io.readUint8(Register.CTRL_HUM) & 0x07) !== OVERSAMPLING[c.humidityOversampling];
      if (!lost) return 'no conversion has completed since the settings were written';
      this.#writeConfiguration(MODE_NORMAL);
      return 'the chip lost its settings (reset or brown-out); settings written again';
    } catch (error) {
      return `checking the settings failed: ${messageOf(error)}`;
    }
  }

  // §5.4.6: config writes in normal mode may be ignored, so enter sleep first; §5.4.3: ctrl_hum takes effect only
  // after ctrl_meas is written, so it goes before.
  #writeConfiguration(mode: number): void {
    const io = this.#io!;
    const c = this.#config;
    const osrsTP = (OVERSAMPLING[c.temperatureOversampling]! << 5) | (OVERSAMPLING[c.pressureOversampling]! << 2);
    io.writeUint8(Register.CTRL_MEAS, osrsTP | MODE_SLEEP);
    io.writeUint8(Register.CONFIG, (STANDBY[c.standby]! << 5) | (FILTER[c.filter]! << 2));
    io.writeUint8(Register.CTRL_HUM, OVERSAMPLING[c.humidityOversampling]!);
    io.writeUint8(Register.CTRL_MEAS, osrsTP | mode);
  }

  // §5.4.2: after a soft reset the chip copies its NVM into the image registers (status.im_update) within the
  // 2 ms start-up time (§1 Table 1, t_startup). Poll the bit, sleeping 1 ms between polls when we can; without a
  // delay each poll is one bus transaction (~0.1 ms at 400 kHz), so 100 of them cover the start-up time.
  #awaitNvmCopy(): void {
    const io = this.#io!;
    this.#delay?.(2);
    const attempts = this.#delay ? 10 : 100;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        if (!(io.readUint8(Register.STATUS) & STATUS_IM_UPDATE)) return;
        last = undefined;
      } catch (error) {
        last = error; // the chip may not answer during start-up
      }
      this.#delay?.(1);
    }
    throw new Error(`${this.#name}: NVM copy did not finish after soft reset${last ? ` (${messageOf(last)})` : ''}`);
  }

  #chipIdProblem(id: number): string | undefined {
    if (id === CHIP_ID) return undefined;
    if (id === 0xff || id === 0x00) return `bus stuck: chip id reads ${hex(id)}`;
    const bmp = BMP280_CHIP_IDS.includes(id) ? ' (a BMP280, which has no humidity sensor)' : '';
    return `unexpected chip id ${hex(id)}${bmp}, expected ${hex(CHIP_ID)}`;
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

export { BME280 };
