// An emulated Sensirion SCD4x on the EmulatedI2CBus, behaving as the SCD4x datasheet v1.3 describes:
// - Table 9: commands marked "no" under "during measurement" are NACKed while periodic measurement runs;
//   a command or read header sent before the previous command's execution time has passed is NACKed (§3.3);
// - §3.5.1: a new measurement every 5 s after start_periodic_measurement; read_measurement empties the buffer,
//   and reading with nothing in it is NACKed (§3.5.2);
// - Table 22: get_data_ready_status answers 0x8006 (ready) or 0x8000 (not ready);
// - wake_up is never acknowledged (Table 9);
// - data words written with a wrong CRC are NACKed.
// Words it sends carry CRC-8 from an implementation of its own (poly 0x31, init 0xFF), so a driver is checked
// against an independent CRC. Faults: `frozen` (stops producing measurements), `corruptReads` (flips a CRC
// bit in the next n reads), `co2Zero`, `responseOverride` (exact bytes for the next read, e.g. a datasheet
// example); bus faults (missing device, stuck lines) come from EmulatedI2CBus.
import { I2CNack, type EmulatedI2CDevice } from './i2c-bus.js';

export const SCD4X_ADDRESS = 0x62;

export const Scd4xCommand = Object.freeze({
  START_PERIODIC_MEASUREMENT: 0x21b1,
  READ_MEASUREMENT: 0xec05,
  STOP_PERIODIC_MEASUREMENT: 0x3f86,
  SET_TEMPERATURE_OFFSET: 0x241d,
  GET_TEMPERATURE_OFFSET: 0x2318,
  SET_SENSOR_ALTITUDE: 0x2427,
  GET_SENSOR_ALTITUDE: 0x2322,
  SET_AMBIENT_PRESSURE: 0xe000,
  GET_DATA_READY_STATUS: 0xe4b8,
  GET_SERIAL_NUMBER: 0x3682,
  REINIT: 0x3646,
  WAKE_UP: 0x36f6,
});

/** Table 9: execution time (ms) and whether the command is accepted during periodic measurement. */
const TABLE_9: ReadonlyMap<number, { ms: number; duringMeasurement: boolean }> = new Map([
  [Scd4xCommand.START_PERIODIC_MEASUREMENT, { ms: 0, duringMeasurement: false }],
  [Scd4xCommand.READ_MEASUREMENT, { ms: 1, duringMeasurement: true }],
  [Scd4xCommand.STOP_PERIODIC_MEASUREMENT, { ms: 500, duringMeasurement: true }],
  [Scd4xCommand.SET_TEMPERATURE_OFFSET, { ms: 1, duringMeasurement: false }],
  [Scd4xCommand.GET_TEMPERATURE_OFFSET, { ms: 1, duringMeasurement: false }],
  [Scd4xCommand.SET_SENSOR_ALTITUDE, { ms: 1, duringMeasurement: false }],
  [Scd4xCommand.GET_SENSOR_ALTITUDE, { ms: 1, duringMeasurement: false }],
  [Scd4xCommand.SET_AMBIENT_PRESSURE, { ms: 1, duringMeasurement: true }],
  [Scd4xCommand.GET_DATA_READY_STATUS, { ms: 1, duringMeasurement: true }],
  [Scd4xCommand.GET_SERIAL_NUMBER, { ms: 1, duringMeasurement: false }],
  [Scd4xCommand.REINIT, { ms: 20, duringMeasurement: false }],
  [Scd4xCommand.WAKE_UP, { ms: 20, duringMeasurement: false }],
]);

const UPDATE_INTERVAL_MS = 5000;

/** CRC-8, poly 0x31, init 0xFF (datasheet §3.11), written independently of the driver's module. */
export function crc8(hi: number, lo: number): number {
  let crc = 0xff;
  for (const byte of [hi, lo]) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

export function wordsWithCrc(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 3);
  words.forEach((w, i) => {
    out[i * 3] = w >> 8;
    out[i * 3 + 1] = w & 0xff;
    out[i * 3 + 2] = crc8(w >> 8, w & 0xff);
  });
  return out;
}

export interface Scd4xCommandRecord {
  command: number;
  value?: number;
  at: number;
  /** Why the emulator NACKed it, if it did. */
  nack?: string;
}

export class Scd4xEmulator implements EmulatedI2CDevice {
  mode: 'idle' | 'periodic' = 'idle';
  co2 = 612;
  /** Raw words (Table 11); set through setClimate() for physical values. */
  temperatureWord = 0x6667;
  humidityWord = 0x5eb9;
  serialWords: readonly number[] = [0xf896, 0x9f07, 0x3bbe]; // Table 24's example
  altitude = 0;
  ambientPressureWord = 1013;
  temperatureOffsetWord = 1498; // 4 °C, the default (§3.6.1)
  /** Every command received, NACKed ones included, in order. */
  readonly commands: Scd4xCommandRecord[] = [];

  // Faults
  /** Stop producing measurements (a hung measurement engine). */
  frozen = false;
  /** Flip a CRC bit in this many of the next reads. */
  corruptReads = 0;
  /** Report CO2 as 0 ppm. */
  co2Zero = false;
  /** Bytes answered to the next read instead of the computed response. */
  responseOverride: Uint8Array | undefined;

  #busyUntil = 0;
  #response: Uint8Array | undefined;
  #startedAt = 0;
  /** Index of the last measurement read out (buffer emptied); 0 = none since start. */
  #readIndex = 0;

  /** Physical values → Table 11 words. */
  setClimate(co2: number, temperature: number, humidity: number): void {
    this.co2 = co2;
    this.temperatureWord = Math.round(((temperature + 45) * 65535) / 175);
    this.humidityWord = Math.round((humidity * 65535) / 100);
  }

  /** Commands received, as the list of their codes. */
  get commandCodes(): number[] {
    return this.commands.map((c) => c.command);
  }

  write(bytes: Uint8Array, now: number): void {
    const command = (bytes[0]! << 8) | bytes[1]!;
    const record: Scd4xCommandRecord = { command, at: now };
    if (bytes.length === 5) record.value = (bytes[2]! << 8) | bytes[3]!;
    this.commands.push(record);
    const nack = (why: string): never => {
      record.nack = why;
      throw new I2CNack(SCD4X_ADDRESS, why);
    };
    if (now < this.#busyUntil) nack('busy with the previous command');
    const entry = TABLE_9.get(command);
    if (!entry) nack('unknown command');
    if (bytes.length !== 2 && bytes.length !== 5) nack('bad length');
    if (bytes.length === 5 && crc8(bytes[2]!, bytes[3]!) !== bytes[4]) nack('bad CRC on the data word');
    if (command === Scd4xCommand.WAKE_UP) {
      this.#busyUntil = now + entry!.ms;
      nack('wake_up is not acknowledged');
    }
    if (this.mode === 'periodic' && !entry!.duringMeasurement) nack('not allowed during periodic measurement');
    this.#busyUntil = now + entry!.ms;
    this.#response = undefined;
    switch (command) {
      case Scd4xCommand.START_PERIODIC_MEASUREMENT:
        this.mode = 'periodic';
        this.#startedAt = now;
        this.#readIndex = 0;
        break;
      case Scd4xCommand.STOP_PERIODIC_MEASUREMENT:
        this.mode = 'idle';
        break;
      case Scd4xCommand.REINIT:
        break;
      case Scd4xCommand.GET_SERIAL_NUMBER:
        this.#response = wordsWithCrc(this.serialWords);
        break;
      case Scd4xCommand.GET_DATA_READY_STATUS:
        this.#response = wordsWithCrc([this.#available(now) > this.#readIndex ? 0x8006 : 0x8000]);
        break;
      case Scd4xCommand.READ_MEASUREMENT: {
        const index = this.#available(now);
        if (this.mode === 'periodic' && index > this.#readIndex) {
          this.#readIndex = index;
          this.#response = wordsWithCrc([this.co2Zero ? 0 : this.co2, this.temperatureWord, this.humidityWord]);
        }
        break;
      }
      case Scd4xCommand.SET_SENSOR_ALTITUDE:
        this.altitude = record.value!;
        break;
      case Scd4xCommand.GET_SENSOR_ALTITUDE:
        this.#response = wordsWithCrc([this.altitude]);
        break;
      case Scd4xCommand.SET_AMBIENT_PRESSURE:
        this.ambientPressureWord = record.value!;
        break;
      case Scd4xCommand.SET_TEMPERATURE_OFFSET:
        this.temperatureOffsetWord = record.value!;
        break;
      case Scd4xCommand.GET_TEMPERATURE_OFFSET:
        this.#response = wordsWithCrc([this.temperatureOffsetWord]);
        break;
    }
  }

  read(length: number, now: number): Uint8Array {
    if (now < this.#busyUntil) throw new I2CNack(SCD4X_ADDRESS, 'read header before the execution time passed');
    let response = this.responseOverride ?? this.#response;
    this.responseOverride = undefined;
    this.#response = undefined;
    if (!response) throw new I2CNack(SCD4X_ADDRESS, 'nothing to read');
    response = response.slice(0, length);
    if (this.corruptReads > 0 && response.length >= 3) {
      this.corruptReads--;
      response[2]! ^= 0x01;
    }
    return response;
  }

  /** Index of the newest measurement made by `now` (0 before the first). */
  #available(now: number): number {
    if (this.mode !== 'periodic' || this.frozen) return this.frozen ? this.#readIndex : 0;
    return Math.floor((now - this.#startedAt) / UPDATE_INTERVAL_MS);
  }
}
