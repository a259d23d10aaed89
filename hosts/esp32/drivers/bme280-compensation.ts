// Bosch BME280 trimming parameters and the datasheet's integer compensation formulas
// (BST-BME280-DS002 rev 1.6: §4.2.2 "Trimming parameter readout", Table 16; §4.2.3 "Compensation formulas").
//
// Arithmetic, chosen deliberately:
// - Temperature and humidity: the 32-bit fixed-point formulas of §4.2.3, in int32 exactly as C computes them on
//   the MCUs the formulas were written for: products through Math.imul (two's-complement wrap, never a rounded
//   double), shifts with `>>` (arithmetic, as the datasheet's `>>` on BME280_S32_t). The datasheet writes `>>`
//   where Bosch's SensorAPI later writes `/`; for negative intermediates these differ by one LSB, and we follow
//   the datasheet.
// - Pressure: the 64-bit formula of §4.2.3 (Q24.8 Pa; "for best possible calculation accuracy in pressure, 64 bit
//   integer support is needed"), in BigInt, which XS implements. Its intermediates reach ~2^62, beyond the 2^53
//   a double holds exactly, so doubles would not reproduce it; the 32-bit variant of appendix §8.2 would fit a
//   double but is "typically 1 Pa" less accurate.
// Outputs are exact integers in the datasheet's fixed-point units; the driver scales them to °C, Pa and %RH.
// Portable: plain ECMAScript, runs on XS.

/** Trimming parameters, named as in §4.2.2 Table 16. */
export interface Bme280Calibration {
  readonly dig_T1: number; // unsigned short, 0x88/0x89
  readonly dig_T2: number; // signed short
  readonly dig_T3: number;
  readonly dig_P1: number; // unsigned short, 0x8E/0x8F
  readonly dig_P2: number; // signed short ... dig_P9 at 0x9E/0x9F
  readonly dig_P3: number;
  readonly dig_P4: number;
  readonly dig_P5: number;
  readonly dig_P6: number;
  readonly dig_P7: number;
  readonly dig_P8: number;
  readonly dig_P9: number;
  readonly dig_H1: number; // unsigned char, 0xA1
  readonly dig_H2: number; // signed short, 0xE1/0xE2
  readonly dig_H3: number; // unsigned char, 0xE3
  readonly dig_H4: number; // signed 12 bit: 0xE4 [11:4] / 0xE5 [3:0]
  readonly dig_H5: number; // signed 12 bit: 0xE5 [7:4] low nibble / 0xE6 [11:4]
  readonly dig_H6: number; // signed char, 0xE7
}

/** Bytes read from 0x88..0xA1 (calib00..calib25). */
export const CALIBRATION_TP_LENGTH = 26;
/** Bytes read from 0xE1..0xE7 (calib26..calib32). */
export const CALIBRATION_H_LENGTH = 7;

const u16le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const s16le = (b: Uint8Array, i: number): number => (u16le(b, i) << 16) >> 16;
const s8 = (byte: number): number => (byte << 24) >> 24;

/** Parse the two calibration blocks (§4.2.2 Table 16), including the nibble-packed dig_H4 and dig_H5. */
export function parseCalibration(tp: Uint8Array, h: Uint8Array): Bme280Calibration {
  if (!(tp instanceof Uint8Array) || tp.length !== CALIBRATION_TP_LENGTH) throw new RangeError(`tp: expected ${CALIBRATION_TP_LENGTH} bytes from 0x88`);
  if (!(h instanceof Uint8Array) || h.length !== CALIBRATION_H_LENGTH) throw new RangeError(`h: expected ${CALIBRATION_H_LENGTH} bytes from 0xE1`);
  return Object.freeze({
    dig_T1: u16le(tp, 0),
    dig_T2: s16le(tp, 2),
    dig_T3: s16le(tp, 4),
    dig_P1: u16le(tp, 6),
    dig_P2: s16le(tp, 8),
    dig_P3: s16le(tp, 10),
    dig_P4: s16le(tp, 12),
    dig_P5: s16le(tp, 14),
    dig_P6: s16le(tp, 16),
    dig_P7: s16le(tp, 18),
    dig_P8: s16le(tp, 20),
    dig_P9: s16le(tp, 22),
    // tp[24] is 0xA0, reserved
    dig_H1: tp[25]!,
    dig_H2: s16le(h, 0),
    dig_H3: h[2]!,
    // 0xE4 holds bits 11:4 of dig_H4 (its sign), 0xE5 bits 3:0 hold its low nibble and bits 7:4 the low nibble of
    // dig_H5, whose bits 11:4 (and sign) are 0xE6.
    dig_H4: (s8(h[3]!) * 16) | (h[4]! & 0x0f),
    dig_H5: (s8(h[5]!) * 16) | (h[4]! >> 4),
    dig_H6: s8(h[6]!),
  });
}

export interface CompensatedTemperature {
  /** Fine temperature carried into the pressure and humidity formulas. */
  tFine: number;
  /** Temperature in 0.01 °C ("5123" equals 51.23 °C). */
  centiCelsius: number;
}

/** §4.2.3 BME280_compensate_T_int32. `adcT` is the 20-bit raw temperature. */
export function compensateTemperature(adcT: number, c: Bme280Calibration): CompensatedTemperature {
  const var1 = Math.imul((adcT >> 3) - (c.dig_T1 << 1), c.dig_T2) >> 11;
  const d = (adcT >> 4) - c.dig_T1;
  const var2 = Math.imul(Math.imul(d, d) >> 12, c.dig_T3) >> 14;
  const tFine = (var1 + var2) | 0;
  return { tFine, centiCelsius: (Math.imul(tFine, 5) + 128) >> 8 };
}

/**
 * §4.2.3 BME280_compensate_P_int64: pressure in Pa as Q24.8 ("24674867" is 24674867/256 = 96386.2 Pa), or 0
 * where the datasheet returns 0 to avoid a division by zero (dig_P1 = 0).
 */
export function compensatePressure(adcP: number, tFine: number, c: Bme280Calibration): number {
  let var1 = BigInt(tFine) - 128000n;
  let var2 = var1 * var1 * BigInt(c.dig_P6);
  var2 = var2 + ((var1 * BigInt(c.dig_P5)) << 17n);
  var2 = var2 + (BigInt(c.dig_P4) << 35n);
  var1 = ((var1 * var1 * BigInt(c.dig_P3)) >> 8n) + ((var1 * BigInt(c.dig_P2)) << 12n);
  var1 = (((1n << 47n) + var1) * BigInt(c.dig_P1)) >> 33n;
  if (var1 === 0n) return 0;
  let p = 1048576n - BigInt(adcP);
  p = (((p << 31n) - var2) * 3125n) / var1; // BigInt division truncates toward zero, as C's
  var1 = (BigInt(c.dig_P9) * (p >> 13n) * (p >> 13n)) >> 25n;
  var2 = (BigInt(c.dig_P8) * p) >> 19n;
  p = ((p + var1 + var2) >> 8n) + (BigInt(c.dig_P7) << 4n);
  return Number(BigInt.asUintN(32, p)); // the datasheet returns (BME280_U32_t)p
}

/** §4.2.3 bme280_compensate_H_int32: relative humidity in %RH as Q22.10 ("47445" is 47445/1024 = 46.333 %RH). */
export function compensateHumidity(adcH: number, tFine: number, c: Bme280Calibration): number {
  let v = (tFine - 76800) | 0;
  const a = (((adcH << 14) - (c.dig_H4 << 20) - Math.imul(c.dig_H5, v) + 16384) | 0) >> 15;
  const inner = ((Math.imul(Math.imul(v, c.dig_H6) >> 10, (Math.imul(v, c.dig_H3) >> 11) + 32768) >> 10) + 2097152) | 0;
  const b = (Math.imul(inner, c.dig_H2) + 8192) >> 14;
  v = Math.imul(a, b);
  v = (v - (Math.imul(Math.imul(v >> 15, v >> 15) >> 7, c.dig_H1) >> 4)) | 0;
  v = v < 0 ? 0 : v;
  v = v > 419430400 ? 419430400 : v;
  return v >> 12;
}
