// An emulated Bosch BME280 on the I2C bus: the register map of BST-BME280-DS002 §5.3 with real calibration bytes
// (§4.2.2), soft reset and NVM copy (§5.4.2, status.im_update), sleep/forced/normal modes (§3.3) with the §9.1
// maximum measurement time as conversion time, ctrl_hum latched by a ctrl_meas write (§5.4.3), config writes
// ignored in normal mode (§5.4.6), skipped measurements reading 0x80000/0x8000 (§5.4.3, §5.4.5), and burst
// reads served from one snapshot (§4.1 shadowing). The "sensing element" is the raw ADC triple `adc`, set
// directly or from physical conditions through the reference inverse. The IIR filter is not modelled.
//
// Faults: `chipId` (e.g. 0x58, a BMP280), `brownOut()` (the chip resets and loses its settings).
import type { Bme280Calibration } from '../../../../hosts/esp32/drivers/bme280-compensation.js';
import { encodeCalibration, rawFor, type Conditions, type RawAdc } from './bme280-reference.js';
import type { EmulatedI2CDevice } from './i2c-bus.js';
import { I2CNack } from './i2c-bus.js';

const OS = [0, 1, 2, 4, 8, 16, 16, 16]; // osrs code -> oversampling, §5.4.3/§5.4.5
const STARTUP_MS = 2; // §1 Table 1 t_startup

export class EmulatedBme280 implements EmulatedI2CDevice {
  readonly address: number;
  readonly registers = new Uint8Array(256);
  /** What the sensing element would convert now. */
  adc: RawAdc;
  chipId = 0x60;
  /** Register writes received, [register, value] (auto-increment expanded). */
  readonly writes: [number, number][] = [];
  /** Number of forced conversions started. */
  forcedConversions = 0;

  #pointer = 0;
  #latchedOsrsH = 0;
  #nvmCopyUntil = 0;
  #measuringUntil = -1;
  #pending: RawAdc | undefined;
  #normalSince = -1;
  readonly #calibration: { tp: Uint8Array; h: Uint8Array };

  constructor(calibration: Bme280Calibration, options: { address?: number; adc?: RawAdc } = {}) {
    this.address = options.address ?? 0x76;
    this.#calibration = encodeCalibration(calibration);
    this.adc = options.adc ?? { temperature: 519888, pressure: 415148, humidity: 30000 };
    this.#powerOn(-1_000); // powered up long before the driver opens the bus
  }

  /** Set the raw values to those whose reference compensation is `conditions`; returns them. */
  setConditions(conditions: Conditions, calibration: Bme280Calibration): RawAdc {
    this.adc = rawFor(conditions, calibration);
    return this.adc;
  }

  /** The chip resets (supply glitch): settings lost, data registers back to their reset values. */
  brownOut(now: number): void {
    this.#powerOn(now);
  }

  get mode(): number {
    return this.registers[0xf4]! & 0x03;
  }

  write(bytes: Uint8Array, now: number): void {
    this.#update(now);
    if (bytes.length === 0) return;
    this.#pointer = bytes[0]!;
    for (let i = 1; i < bytes.length; i++) this.#writeRegister(this.#pointer++ & 0xff, bytes[i]!, now);
  }

  read(length: number, now: number): Uint8Array {
    this.#update(now);
    // Assumed, to exercise retries: the datasheet gives only t_startup; here reads NACK during its first half.
    if (now < this.#nvmCopyUntil - STARTUP_MS / 2) throw new I2CNack(this.address, 'starting up');
    const snapshot = this.registers.slice(); // shadowing: one burst sees one state
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = snapshot[(this.#pointer + i) & 0xff]!;
    this.#pointer = (this.#pointer + length) & 0xff;
    return out;
  }

  #powerOn(now: number): void {
    const r = this.registers;
    r.fill(0);
    r.set(this.#calibration.tp, 0x88);
    r.set(this.#calibration.h, 0xe1);
    r[0xd0] = this.chipId;
    this.#setData({ pressure: 0x80000, temperature: 0x80000, humidity: 0x8000 }); // reset values, §5.3 Table 18
    this.#latchedOsrsH = 0;
    this.#measuringUntil = -1;
    this.#pending = undefined;
    this.#normalSince = -1;
    this.#nvmCopyUntil = now + STARTUP_MS;
  }

  #writeRegister(register: number, value: number, now: number): void {
    this.writes.push([register, value]);
    if (register === 0xe0) {
      if (value === 0xb6) this.#powerOn(now); // §5.4.2
      return;
    }
    if (register === 0xf2) this.registers[0xf2] = value & 0x07;
    else if (register === 0xf5) {
      if (this.mode !== 0b11) this.registers[0xf5] = value & 0xfd; // ignored in normal mode; spi3w_en kept 0
    } else if (register === 0xf4) {
      this.registers[0xf4] = value;
      this.#latchedOsrsH = this.registers[0xf2]!;
      const mode = value & 0x03;
      if (mode === 0b01 || mode === 0b10) {
        this.forcedConversions++;
        this.#pending = { ...this.adc };
        this.#measuringUntil = now + this.#conversionMs();
        this.#normalSince = -1;
      } else if (mode === 0b11) {
        if (this.#normalSince < 0) this.#normalSince = now;
      } else {
        this.#normalSince = -1;
      }
    }
    // other registers are read-only
  }

  #conversionMs(): number {
    const t = OS[(this.registers[0xf4]! >> 5) & 7]!;
    const p = OS[(this.registers[0xf4]! >> 2) & 7]!;
    const h = OS[this.#latchedOsrsH & 7]!;
    return 1.25 + (t ? 2.3 * t : 0) + (p ? 2.3 * p + 0.575 : 0) + (h ? 2.3 * h + 0.575 : 0); // §9.1 max
  }

  #update(now: number): void {
    const r = this.registers;
    r[0xd0] = this.chipId;
    let status = now < this.#nvmCopyUntil ? 0x01 : 0x00;
    if (this.#pending) {
      if (now >= this.#measuringUntil) {
        this.#convert(this.#pending);
        this.#pending = undefined;
        r[0xf4] = r[0xf4]! & 0xfc; // back to sleep after a forced conversion (§3.3.3)
      } else status |= 0x08;
    }
    if (this.#normalSince >= 0) {
      const cycle = this.#conversionMs() + this.#standbyMs();
      const elapsed = now - this.#normalSince;
      if (elapsed >= this.#conversionMs()) this.#convert(this.adc); // latest completed conversion
      if (elapsed % cycle < this.#conversionMs()) status |= 0x08;
    }
    r[0xf3] = status;
  }

  #standbyMs(): number {
    return [0.5, 62.5, 125, 250, 500, 1000, 10, 20][(this.registers[0xf5]! >> 5) & 7]!;
  }

  #convert(adc: RawAdc): void {
    const r = this.registers;
    this.#setData({
      temperature: (r[0xf4]! >> 5) & 7 ? adc.temperature : 0x80000,
      pressure: (r[0xf4]! >> 2) & 7 ? adc.pressure : 0x80000,
      humidity: this.#latchedOsrsH & 7 ? adc.humidity : 0x8000,
    });
  }

  #setData(adc: RawAdc): void {
    const r = this.registers;
    r[0xf7] = (adc.pressure >> 12) & 0xff;
    r[0xf8] = (adc.pressure >> 4) & 0xff;
    r[0xf9] = (adc.pressure & 0x0f) << 4;
    r[0xfa] = (adc.temperature >> 12) & 0xff;
    r[0xfb] = (adc.temperature >> 4) & 0xff;
    r[0xfc] = (adc.temperature & 0x0f) << 4;
    r[0xfd] = (adc.humidity >> 8) & 0xff;
    r[0xfe] = adc.humidity & 0xff;
  }
}
