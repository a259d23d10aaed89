// An emulated Sensirion SHT4x on the I2C bus: one-byte commands (datasheet "Command Overview"), conversions that
// take their maximum duration ("Timings": 8.3 / 4.5 / 1.7 ms) during which the sensor NACKs, 6-byte answers of
// two words each followed by its CRC-8 ("Checksum Calculation"), serial number 0x89 and soft reset 0x94.
// The CRC here is a table-driven implementation written separately from the driver's bitwise one.
//
// Faults: `corrupt` flips the CRC byte of the named word in every answer; an unknown command is NACKed.
import type { EmulatedI2CDevice } from './i2c-bus.js';
import { I2CNack } from './i2c-bus.js';

const CRC_TABLE = (() => {
  const table = new Uint8Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x31) & 0xff : (c << 1) & 0xff;
    table[n] = c;
  }
  return table;
})();

/** Sensirion CRC-8 of a 16-bit word (init 0xFF, polynomial 0x31). */
export function wordCrc(word: number): number {
  return CRC_TABLE[CRC_TABLE[0xff ^ (word >> 8)]! ^ (word & 0xff)]!;
}

/** Ticks for a temperature: the inverse of T = -45 + 175 * S / 65535, rounded. */
export function ticksForTemperature(celsius: number): number {
  return Math.min(0xffff, Math.max(0, Math.round(((celsius + 45) * 65535) / 175)));
}

/** Ticks for a relative humidity: the inverse of RH = -6 + 125 * S / 65535, rounded. */
export function ticksForHumidity(percent: number): number {
  return Math.min(0xffff, Math.max(0, Math.round(((percent + 6) * 65535) / 125)));
}

export type Sht4xWord = 'temperature' | 'humidity' | 'serial-high' | 'serial-low';

const MEASUREMENTS: Readonly<Record<number, number>> = Object.freeze({ 0xfd: 8.3, 0xf6: 4.5, 0xe0: 1.7 });

export class EmulatedSht4x implements EmulatedI2CDevice {
  readonly address: number;
  serialNumber: number;
  ticks = { temperature: ticksForTemperature(21.5), humidity: ticksForHumidity(45) };
  readonly corrupt = new Set<Sht4xWord>();
  /** Commands received, in order. */
  readonly commands: number[] = [];

  #busyUntil = -1;
  #answer: Uint8Array | undefined;

  constructor(options: { address?: number; serialNumber?: number } = {}) {
    this.address = options.address ?? 0x44;
    this.serialNumber = options.serialNumber ?? 0x0f2d_7a91;
  }

  setConditions(conditions: { temperature: number; humidity: number }): void {
    this.ticks = { temperature: ticksForTemperature(conditions.temperature), humidity: ticksForHumidity(conditions.humidity) };
  }

  /** True while a conversion (or reset) is running. */
  busy(now: number): boolean {
    return now < this.#busyUntil;
  }

  write(bytes: Uint8Array, now: number): void {
    if (this.busy(now)) throw new I2CNack(this.address, 'busy');
    if (bytes.length !== 1) throw new I2CNack(this.address, 'command length');
    const command = bytes[0]!;
    const conversionMs = MEASUREMENTS[command];
    if (conversionMs !== undefined) {
      this.#answer = this.#frame(this.ticks.temperature, 'temperature', this.ticks.humidity, 'humidity');
      this.#busyUntil = now + conversionMs;
    } else if (command === 0x89) {
      this.#answer = this.#frame(this.serialNumber >>> 16, 'serial-high', this.serialNumber & 0xffff, 'serial-low');
      this.#busyUntil = now + 0.5; // not specified by the datasheet; Sensirion's driver waits 10 ms
    } else if (command === 0x94) {
      this.#answer = undefined;
      this.#busyUntil = now + 1; // "Timings": soft reset ≤ 1 ms
    } else {
      throw new I2CNack(this.address, `unknown command 0x${command.toString(16)}`);
    }
    this.commands.push(command);
  }

  read(length: number, now: number): Uint8Array {
    if (this.busy(now) || !this.#answer) throw new I2CNack(this.address, this.#answer ? 'busy' : 'nothing to read');
    const answer = this.#answer;
    this.#answer = undefined;
    return answer.slice(0, length);
  }

  #frame(first: number, firstName: Sht4xWord, second: number, secondName: Sht4xWord): Uint8Array {
    const flip = (name: Sht4xWord) => (this.corrupt.has(name) ? 0x01 : 0x00);
    return Uint8Array.of(first >> 8, first & 0xff, wordCrc(first) ^ flip(firstName), second >> 8, second & 0xff, wordCrc(second) ^ flip(secondName));
  }
}
