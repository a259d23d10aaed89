// Sensirion SCD40/SCD41 CO2, temperature and humidity over I2C, ECMA-419 Sensor Class Pattern.
// Source: Sensirion "SCD4x Datasheet", Version 1.3, September 2022: §3.1 power-up, §3.3 command sequence types
// ("it is required to wait the command execution time before issuing the read header"), Table 9 command list
// with execution times and which commands run during periodic measurement, Tables 11 to 24 command details,
// §3.11 checksum. Moddable does not ship an SCD4x driver; this one follows the shape of its Sensirion drivers
// (modules/drivers/sensors/sht3x, shtc3): command words, words checked with CRC-8, blocking delays.
//
// The sensor runs in periodic measurement mode (a new measurement every 5 s) from construction on.
// sample() asks get_data_ready_status; when a measurement is waiting it reads it (read_measurement empties the
// buffer). When none is waiting, sample() returns the last measurement it read if that is at most maxAge old
// (default 10 s, two update intervals), and otherwise nothing, with onError saying so. A node sampling once a
// minute therefore always reads a measurement at most 5 s old; it never re-signs an old one.
import { sensirionCrc8 } from './sensirion-crc8.js';
import { checkSensorOptions, messageOf, report, stuckPattern, type I2CIo, type IoOptions, type SensorOptions } from './sensor-bus.js';

/** Table 9: command words. Every data word after a command carries its CRC-8 (§3.2). */
const Command = Object.freeze({
  START_PERIODIC_MEASUREMENT: 0x21b1,
  READ_MEASUREMENT: 0xec05,
  STOP_PERIODIC_MEASUREMENT: 0x3f86,
  SET_TEMPERATURE_OFFSET: 0x241d,
  SET_SENSOR_ALTITUDE: 0x2427,
  GET_SENSOR_ALTITUDE: 0x2322,
  SET_AMBIENT_PRESSURE: 0xe000,
  GET_DATA_READY_STATUS: 0xe4b8,
  GET_SERIAL_NUMBER: 0x3682,
  REINIT: 0x3646,
  /** SCD41 only: leaves power-down; "not acknowledged", so its NACK is expected. */
  WAKE_UP: 0x36f6,
});

/** Table 9: execution time (ms), the wait before the read header or the next command. */
const ExecutionTime: Readonly<Record<number, number>> = Object.freeze({
  [Command.START_PERIODIC_MEASUREMENT]: 0,
  [Command.READ_MEASUREMENT]: 1,
  [Command.STOP_PERIODIC_MEASUREMENT]: 500,
  [Command.SET_TEMPERATURE_OFFSET]: 1,
  [Command.SET_SENSOR_ALTITUDE]: 1,
  [Command.GET_SENSOR_ALTITUDE]: 1,
  [Command.SET_AMBIENT_PRESSURE]: 1,
  [Command.GET_DATA_READY_STATUS]: 1,
  [Command.GET_SERIAL_NUMBER]: 1,
  [Command.REINIT]: 20,
  [Command.WAKE_UP]: 20,
});

const ADDRESS = 0x62; // Table 8
/** §3.5.1: "signal update interval is 5 seconds". */
const UPDATE_INTERVAL_MS = 5_000;
const MAX_AGE_MS = 2 * UPDATE_INTERVAL_MS;
/** Table 22: data is ready when the least significant 11 bits of the status word are not all 0. */
const DATA_READY_MASK = 0x07ff;
/** set_sensor_altitude: "valid input values are between 0 - 3000 m". */
const MAX_ALTITUDE_M = 3000;
/** set_ambient_pressure: "valid input values are between 700 to 1200 hPa". */
const MIN_PRESSURE_PA = 70_000;
const MAX_PRESSURE_PA = 120_000;

export interface Scd4xConfiguration {
  /** Metres above sea level, 0..3000: pressure compensation when no ambient pressure is given. Needs idle mode. */
  altitude?: number;
  /** Pa, 70000..120000: overrides the altitude compensation (e.g. from a BME280). Sent during measurement. */
  ambientPressure?: number;
  /** °C subtracted from the temperature output for self-heating (datasheet default 4 °C). Needs idle mode. */
  temperatureOffset?: number;
}

/**
 * `sensor` is the host's I2C bus (`{...device.I2C.default, io: I2C}`); address and hz may override 0x62 and
 * 100 kHz. `delay` should be Moddable's Timer.delay: the SCD4x needs 1 ms after each command before the read
 * header (§3.3) and 500 ms after stop_periodic_measurement; without it the driver busy-waits on now().
 */
export interface Scd4xOptions extends SensorOptions<I2CIo>, Scd4xConfiguration {
  /** Monotonic milliseconds (the host's Clock.monotonic()); default Date.now. */
  now?: () => number;
  /** A measurement read earlier is returned while no new one is ready, for at most this long (ms). */
  maxAge?: number;
}

export type Scd4xSample = {
  carbonDioxide?: { co2: number };
  thermometer?: { temperature: number };
  hygrometer?: { humidity: number };
};

/** A failed bus transaction (NACK, timeout): the sensor is missing, unpowered or busy. */
class BusFault extends Error {}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

function checkConfiguration(options: Scd4xConfiguration): Scd4xConfiguration {
  const out: Scd4xConfiguration = {};
  const { altitude, ambientPressure, temperatureOffset } = options;
  if (altitude !== undefined) {
    if (typeof altitude !== 'number' || !(altitude >= 0 && altitude <= MAX_ALTITUDE_M)) {
      throw new RangeError(`options.altitude: expected metres from 0 to ${MAX_ALTITUDE_M}`);
    }
    out.altitude = Math.round(altitude);
  }
  if (ambientPressure !== undefined) {
    if (typeof ambientPressure !== 'number' || !(ambientPressure >= MIN_PRESSURE_PA && ambientPressure <= MAX_PRESSURE_PA)) {
      throw new RangeError(`options.ambientPressure: expected pascals from ${MIN_PRESSURE_PA} to ${MAX_PRESSURE_PA}`);
    }
    out.ambientPressure = ambientPressure;
  }
  if (temperatureOffset !== undefined) {
    // Table 13: word = offset * 2^16 / 175, so the word holds 0 to just under 175 °C.
    if (typeof temperatureOffset !== 'number' || !(temperatureOffset >= 0 && Math.round((temperatureOffset * 65536) / 175) <= 0xffff)) {
      throw new RangeError('options.temperatureOffset: expected degrees Celsius from 0 to 174.99');
    }
    out.temperatureOffset = temperatureOffset;
  }
  return out;
}

export class SCD4x {
  #io: I2CIo | undefined;
  readonly #address: number;
  readonly #report: (message: string) => void;
  readonly #now: () => number;
  readonly #delay: (ms: number) => void;
  readonly #maxAge: number;
  readonly #config: Scd4xConfiguration;
  #measuring = false;
  #startedAt = 0;
  #serialNumber: string | undefined;
  #last: { sample: Scd4xSample; at: number } | undefined;

  constructor(options: Scd4xOptions) {
    checkSensorOptions(options, 'scd4x');
    const onError = options.onError;
    this.#report = (message) => report(onError, `scd4x: ${message}`);
    const now = (this.#now = options.now ?? Date.now);
    this.#delay =
      options.delay ??
      ((ms: number) => {
        const end = now() + ms + 1; // +1: the clock's 1 ms tick may be about to roll over
        while (now() < end);
      });
    if (options.maxAge !== undefined && !(typeof options.maxAge === 'number' && options.maxAge >= 0)) {
      throw new RangeError('options.maxAge: expected a non-negative number of milliseconds');
    }
    this.#maxAge = options.maxAge ?? MAX_AGE_MS;
    this.#config = checkConfiguration(options);
    const busOptions: IoOptions = { hz: 100_000, address: ADDRESS, ...options.sensor };
    this.#address = busOptions.address;
    try {
      this.#io = new options.sensor.io(busOptions);
    } catch (error) {
      this.#report(`cannot open I2C at 0x${this.#address.toString(16)}: ${messageOf(error)}`);
      return;
    }
    this.#start();
  }

  /** Changes compensation settings; values are kept and re-applied whenever the driver restarts the sensor. */
  configure(options: Scd4xConfiguration = {}): void {
    const next = checkConfiguration(options);
    const idleChange =
      (next.altitude !== undefined && next.altitude !== this.#config.altitude) ||
      (next.temperatureOffset !== undefined && next.temperatureOffset !== this.#config.temperatureOffset);
    Object.assign(this.#config, next);
    if (!this.#io || !this.#measuring) return; // applied by the next start, from sample()
    try {
      if (idleChange) {
        // Table 9: altitude and temperature offset are accepted in idle mode only.
        this.#command('stop_periodic_measurement', Command.STOP_PERIODIC_MEASUREMENT);
        this.#measuring = false;
        this.#applyIdleSettings();
        this.#startMeasuring();
      } else if (next.ambientPressure !== undefined) {
        this.#setAmbientPressure();
      }
    } catch (error) {
      this.#measuring = false;
      this.#report(`configure failed: ${messageOf(error)}`);
    }
  }

  get configuration(): Scd4xConfiguration {
    return { ...this.#config };
  }

  /** Model and the 48-bit serial number (hex) read at start, once the sensor has answered. */
  get identification(): { model: string; serialNumber: string | undefined } {
    return { model: 'Sensirion SCD4x', serialNumber: this.#serialNumber };
  }

  sample(): Scd4xSample | undefined {
    try {
      if (!this.#io) {
        this.#report('not open');
        return undefined;
      }
      if (!this.#measuring && !this.#start()) return undefined;
      const [status] = this.#readWords('get_data_ready_status', Command.GET_DATA_READY_STATUS, 1);
      if ((status! & DATA_READY_MASK) === 0) return this.#recent();
      // Table 11: CO2 in ppm, T = -45 + 175 * word / (2^16 - 1) °C, RH = 100 * word / (2^16 - 1) %.
      const [co2, t, rh] = this.#readWords('read_measurement', Command.READ_MEASUREMENT, 3);
      const sample: Scd4xSample = {
        thermometer: { temperature: -45 + (175 * t!) / 65535 },
        hygrometer: { humidity: (100 * rh!) / 65535 },
      };
      // Sensirion's example code skips a 0 ppm reading as an invalid sample; temperature and humidity stay.
      if (co2 === 0) this.#report('read_measurement gave 0 ppm CO2, an invalid sample; CO2 left out');
      else sample.carbonDioxide = { co2: co2! };
      this.#last = { sample, at: this.#now() };
      return sample;
    } catch (error) {
      if (error instanceof BusFault) this.#measuring = false; // restart (stop, reinit, start) on the next sample()
      this.#report(messageOf(error));
      return undefined;
    }
  }

  close(): void {
    const io = this.#io;
    this.#io = undefined;
    if (!io) return;
    try {
      // Leave the sensor idle; nothing follows, so no need to wait the 500 ms.
      if (this.#measuring) io.write(Uint8Array.of(Command.STOP_PERIODIC_MEASUREMENT >> 8, Command.STOP_PERIODIC_MEASUREMENT & 0xff));
    } catch (error) {
      this.#report(`stop_periodic_measurement at close failed: ${messageOf(error)}`);
    }
    this.#measuring = false;
    try {
      io.close();
    } catch (error) {
      this.#report(`close failed: ${messageOf(error)}`);
    }
  }

  /** From any state to periodic measurement: the sequence of Sensirion's start-up example, then our settings. */
  #start(): boolean {
    try {
      try {
        this.#command('wake_up', Command.WAKE_UP);
      } catch {
        // Table 9: wake_up is not acknowledged (and SCD40 has no power-down); the NACK is expected, but the
        // sensor still needs the command's 20 ms before it takes the next one.
        this.#delay(ExecutionTime[Command.WAKE_UP]!);
      }
      // A warm reboot of the ESP32 may find the sensor still measuring: stop, then reload its EEPROM settings.
      this.#command('stop_periodic_measurement', Command.STOP_PERIODIC_MEASUREMENT);
      this.#command('reinit', Command.REINIT);
      const serial = this.#readWords('get_serial_number', Command.GET_SERIAL_NUMBER, 3);
      this.#serialNumber = serial.map((w) => w.toString(16).padStart(4, '0')).join('');
      this.#applyIdleSettings();
      this.#startMeasuring();
      return true;
    } catch (error) {
      this.#measuring = false;
      this.#report(`cannot start: ${messageOf(error)}`);
      return false;
    }
  }

  #startMeasuring(): void {
    this.#command('start_periodic_measurement', Command.START_PERIODIC_MEASUREMENT);
    this.#measuring = true;
    this.#startedAt = this.#now();
    // Table 9: set_ambient_pressure is accepted during periodic measurement.
    if (this.#config.ambientPressure !== undefined) this.#setAmbientPressure();
  }

  #applyIdleSettings(): void {
    const { temperatureOffset, altitude } = this.#config;
    if (temperatureOffset !== undefined) {
      this.#command('set_temperature_offset', Command.SET_TEMPERATURE_OFFSET, Math.round((temperatureOffset * 65536) / 175));
    }
    if (altitude !== undefined) {
      this.#command('set_sensor_altitude', Command.SET_SENSOR_ALTITUDE, altitude);
      const [stored] = this.#readWords('get_sensor_altitude', Command.GET_SENSOR_ALTITUDE, 1);
      if (stored !== altitude) this.#report(`sensor altitude reads back as ${stored} m, not the ${altitude} m written`);
    }
  }

  #setAmbientPressure(): void {
    // Table 17: word = pressure [Pa] / 100.
    this.#command('set_ambient_pressure', Command.SET_AMBIENT_PRESSURE, Math.round(this.#config.ambientPressure! / 100));
  }

  /** No new measurement waiting: the last one read, while recent, else nothing. */
  #recent(): Scd4xSample | undefined {
    const now = this.#now();
    const last = this.#last;
    if (last) {
      const age = now - last.at;
      if (age >= 0 && age <= this.#maxAge) return last.sample;
    }
    if (now - this.#startedAt < UPDATE_INTERVAL_MS) {
      this.#report('no measurement yet: the first is ready 5 s after start_periodic_measurement');
    } else {
      this.#report('no new measurement: get_data_ready_status says not ready');
    }
    return undefined;
  }

  /** Sends a command, with one data word and its CRC when `value` is given, then waits its execution time. */
  #command(name: string, command: number, value?: number): void {
    const bytes =
      value === undefined
        ? Uint8Array.of(command >> 8, command & 0xff)
        : Uint8Array.of(command >> 8, command & 0xff, value >> 8, value & 0xff, 0);
    if (value !== undefined) bytes[4] = sensirionCrc8(bytes, 2, 2);
    try {
      this.#io!.write(bytes);
    } catch (error) {
      throw new BusFault(`${name}: no ACK from 0x${this.#address.toString(16)} (sensor missing or bus stuck): ${messageOf(error)}`);
    }
    this.#delay(ExecutionTime[command] ?? 1);
  }

  /** A "read" sequence (§3.3): command, execution time, then `count` words each followed by its CRC. */
  #readWords(name: string, command: number, count: number): number[] {
    this.#command(name, command);
    const bytes = new Uint8Array(count * 3);
    try {
      this.#io!.read(bytes);
    } catch (error) {
      throw new BusFault(`${name}: no ACK to the read from 0x${this.#address.toString(16)}: ${messageOf(error)}`);
    }
    const words: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = i * 3;
      if (sensirionCrc8(bytes, at, 2) !== bytes[at + 2]) {
        const stuck = stuckPattern(bytes);
        const hint = stuck === undefined ? '' : ` (every byte 0x${hex(bytes.subarray(0, 1))}: bus stuck ${stuck ? 'high' : 'low'}?)`;
        throw new Error(`${name}: CRC mismatch in word ${i} of ${hex(bytes)}${hint}`);
      }
      words.push((bytes[at]! << 8) | bytes[at + 1]!);
    }
    return words;
  }
}

export default SCD4x;
