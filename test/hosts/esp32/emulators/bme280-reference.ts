// An independent reference for the BME280 tests: the datasheet's double-precision compensation formulas
// (BST-BME280-DS002 appendix §8.1), which the driver does not use (it uses the integer formulas of §4.2.3), and
// their inverse, found by bisection, to pick raw ADC values for given conditions. The calibration type is the
// driver's (just a record of numbers); the formulas here are written out separately from the datasheet.
import type { Bme280Calibration } from '../../../../hosts/esp32/drivers/bme280-compensation.js';

export interface ReferenceTemperature {
  /** t_fine as the datasheet's double code stores it: (BME280_S32_t)(var1 + var2), truncated. */
  tFine: number;
  celsius: number;
}

/** §8.1 BME280_compensate_T_double. */
export function referenceTemperature(adcT: number, c: Bme280Calibration): ReferenceTemperature {
  const var1 = (adcT / 16384.0 - c.dig_T1 / 1024.0) * c.dig_T2;
  const var2 = (adcT / 131072.0 - c.dig_T1 / 8192.0) * (adcT / 131072.0 - c.dig_T1 / 8192.0) * c.dig_T3;
  return { tFine: Math.trunc(var1 + var2), celsius: (var1 + var2) / 5120.0 };
}

/** §8.1 BME280_compensate_P_double, Pa. */
export function referencePressure(adcP: number, tFine: number, c: Bme280Calibration): number {
  let var1 = tFine / 2.0 - 64000.0;
  let var2 = (var1 * var1 * c.dig_P6) / 32768.0;
  var2 = var2 + var1 * c.dig_P5 * 2.0;
  var2 = var2 / 4.0 + c.dig_P4 * 65536.0;
  var1 = ((c.dig_P3 * var1 * var1) / 524288.0 + c.dig_P2 * var1) / 524288.0;
  var1 = (1.0 + var1 / 32768.0) * c.dig_P1;
  if (var1 === 0.0) return 0;
  let p = 1048576.0 - adcP;
  p = ((p - var2 / 4096.0) * 6250.0) / var1;
  var1 = (c.dig_P9 * p * p) / 2147483648.0;
  var2 = (p * c.dig_P8) / 32768.0;
  return p + (var1 + var2 + c.dig_P7) / 16.0;
}

/** §8.1 BME280_compensate_H_double, %RH clamped to 0..100 as there. */
export function referenceHumidity(adcH: number, tFine: number, c: Bme280Calibration): number {
  let h = tFine - 76800.0;
  h = (adcH - (c.dig_H4 * 64.0 + (c.dig_H5 / 16384.0) * h)) * ((c.dig_H2 / 65536.0) * (1.0 + (c.dig_H6 / 67108864.0) * h * (1.0 + (c.dig_H3 / 67108864.0) * h)));
  h = h * (1.0 - (c.dig_H1 * h) / 524288.0);
  return h > 100.0 ? 100.0 : h < 0.0 ? 0.0 : h;
}

/** Smallest integer in [lo, hi] where `f` (monotonic) reaches `target`, for increasing or decreasing `f`. */
function solve(f: (x: number) => number, target: number, lo: number, hi: number): number {
  const increasing = f(hi) > f(lo);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (increasing ? f(mid) < target : f(mid) > target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Conditions {
  temperature: number; // °C
  pressure: number; // Pa
  humidity: number; // %RH
}

export interface RawAdc {
  temperature: number; // 20 bit
  pressure: number; // 20 bit
  humidity: number; // 16 bit
}

/** Raw ADC values whose reference compensation lands on `conditions` (to within one ADC step). */
export function rawFor(conditions: Conditions, c: Bme280Calibration): RawAdc {
  const temperature = solve((x) => referenceTemperature(x, c).celsius, conditions.temperature, 0, 0xfffff);
  const { tFine } = referenceTemperature(temperature, c);
  const pressure = solve((x) => referencePressure(x, tFine, c), conditions.pressure, 0, 0xfffff);
  const humidity = solve((x) => referenceHumidity(x, tFine, c), conditions.humidity, 0, 0xffff);
  return { temperature, pressure, humidity };
}

/** Reference compensated values of raw ADC values. */
export function referenceOf(raw: RawAdc, c: Bme280Calibration): Conditions {
  const t = referenceTemperature(raw.temperature, c);
  return { temperature: t.celsius, pressure: referencePressure(raw.pressure, t.tFine, c), humidity: referenceHumidity(raw.humidity, t.tFine, c) };
}

/** The 26 + 7 calibration bytes (0x88..0xA1, 0xE1..0xE7) that encode `c`, per §4.2.2 Table 16. */
export function encodeCalibration(c: Bme280Calibration): { tp: Uint8Array; h: Uint8Array } {
  const tp = new Uint8Array(26);
  const le = (at: number, v: number) => {
    tp[at] = v & 0xff;
    tp[at + 1] = (v >> 8) & 0xff;
  };
  [c.dig_T1, c.dig_T2, c.dig_T3, c.dig_P1, c.dig_P2, c.dig_P3, c.dig_P4, c.dig_P5, c.dig_P6, c.dig_P7, c.dig_P8, c.dig_P9].forEach((v, i) => le(i * 2, v));
  tp[24] = 0x00; // 0xA0 reserved
  tp[25] = c.dig_H1 & 0xff;
  const h = new Uint8Array(7);
  h[0] = c.dig_H2 & 0xff;
  h[1] = (c.dig_H2 >> 8) & 0xff;
  h[2] = c.dig_H3 & 0xff;
  h[3] = (c.dig_H4 >> 4) & 0xff; // dig_H4[11:4]
  h[4] = ((c.dig_H5 & 0x0f) << 4) | (c.dig_H4 & 0x0f); // dig_H5[3:0] | dig_H4[3:0]
  h[5] = (c.dig_H5 >> 4) & 0xff; // dig_H5[11:4]
  h[6] = c.dig_H6 & 0xff;
  return { tp, h };
}
