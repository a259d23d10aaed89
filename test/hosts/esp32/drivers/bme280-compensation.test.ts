// The BME280 integer compensation against published vectors (test/vectors/bme280-compensation.json) and against
// the datasheet's double-precision formulas (an independent implementation, emulators/bme280-reference.ts).
import test from 'ava';
import {
  compensateHumidity,
  compensatePressure,
  compensateTemperature,
  parseCalibration,
  type Bme280Calibration,
} from '../../../../hosts/esp32/drivers/bme280-compensation.js';
import { fromHex } from '../../../../src/core/bytes.js';
import { loadVectors } from '../../../helpers/vectors.js';
import { encodeCalibration, referenceHumidity, referencePressure, referenceTemperature } from '../emulators/bme280-reference.js';

interface CompensationVector {
  name: string;
  calibration: Partial<Bme280Calibration>;
  adc: { temperature: number; pressure: number; humidity?: number };
  expected: { t_fine?: number; temperature: number; pressure: number; humidity?: number };
  tolerance: { temperature: number; pressure: number; humidity?: number };
}

interface CalibrationVector {
  name: string;
  tp: string;
  h: string;
  calibration: Bme280Calibration;
}

const NO_HUMIDITY = { dig_H1: 0, dig_H2: 0, dig_H3: 0, dig_H4: 0, dig_H5: 0, dig_H6: 0 };
const compensation = loadVectors<CompensationVector>('bme280-compensation.json');
const calibrations = loadVectors<CalibrationVector>('bme280-calibration.json');
const pimoroni = compensation.vectors.find((v) => v.name.startsWith('Pimoroni'))!.calibration as Bme280Calibration;

for (const v of compensation.vectors) {
  test(`reproduces the published values of the ${v.name}`, (t) => {
    const c = { ...NO_HUMIDITY, ...v.calibration } as Bme280Calibration;
    const temperature = compensateTemperature(v.adc.temperature, c);
    if (v.expected.t_fine !== undefined) t.is(temperature.tFine, v.expected.t_fine);
    t.true(Math.abs(temperature.centiCelsius / 100 - v.expected.temperature) <= v.tolerance.temperature, `T ${temperature.centiCelsius / 100}`);
    const pressure = compensatePressure(v.adc.pressure, temperature.tFine, c) / 256;
    t.true(Math.abs(pressure - v.expected.pressure) <= v.tolerance.pressure, `p ${pressure}`);
    if (v.adc.humidity !== undefined) {
      const humidity = compensateHumidity(v.adc.humidity, temperature.tFine, c) / 1024;
      t.true(Math.abs(humidity - v.expected.humidity!) <= v.tolerance.humidity!, `RH ${humidity}`);
    }
  });
}

for (const v of calibrations.vectors) {
  test(`parses the trimming bytes of the ${v.name}`, (t) => {
    t.deepEqual(parseCalibration(fromHex(v.tp), fromHex(v.h)), v.calibration);
  });
}

test('unpacks negative dig_H4 and dig_H5 from the nibbles they share in 0xE5', (t) => {
  const c = { ...pimoroni, dig_H4: -349, dig_H5: -30, dig_H6: -7, dig_H2: -12 };
  const { tp, h } = encodeCalibration(c);
  t.deepEqual([h[3], h[4], h[5]], [0xea, 0x23, 0xfe]); // 0xE4 = H4[11:4], 0xE5 = H5[3:0]<<4 | H4[3:0], 0xE6 = H5[11:4]
  t.deepEqual(parseCalibration(tp, h), c);
});

test('refuses calibration blocks of the wrong length with a RangeError naming them', (t) => {
  t.throws(() => parseCalibration(new Uint8Array(24), new Uint8Array(7)), { instanceOf: RangeError, message: /tp/ });
  t.throws(() => parseCalibration(new Uint8Array(26), new Uint8Array(6)), { instanceOf: RangeError, message: /h/ });
});

test('agrees with the datasheet double formulas across the operating range', (t) => {
  // -40..85 degC, 300..1100 hPa, 0..100 %RH (BST-BME280-DS002 §1) by raw value, with the Pimoroni chip's trimming.
  let worst = { temperature: 0, pressure: 0, humidity: 0 };
  for (let adcT = 380_000; adcT <= 700_000; adcT += 8_000) {
    const ref = referenceTemperature(adcT, pimoroni);
    if (ref.celsius < -40 || ref.celsius > 85) continue;
    const mine = compensateTemperature(adcT, pimoroni);
    worst.temperature = Math.max(worst.temperature, Math.abs(mine.centiCelsius / 100 - ref.celsius));
    for (let adcP = 150_000; adcP <= 700_000; adcP += 25_000) {
      const p = referencePressure(adcP, ref.tFine, pimoroni);
      if (p < 30_000 || p > 110_000) continue;
      worst.pressure = Math.max(worst.pressure, Math.abs(compensatePressure(adcP, mine.tFine, pimoroni) / 256 - p));
    }
    for (let adcH = 15_000; adcH <= 50_000; adcH += 1_000) {
      const h = referenceHumidity(adcH, ref.tFine, pimoroni);
      worst.humidity = Math.max(worst.humidity, Math.abs(compensateHumidity(adcH, mine.tFine, pimoroni) / 1024 - h));
    }
  }
  t.true(worst.temperature <= 0.005, `temperature ${worst.temperature}`);
  t.true(worst.pressure <= 0.5, `pressure ${worst.pressure}`);
  t.true(worst.humidity <= 0.01, `humidity ${worst.humidity}`);
});

test('keeps humidity within 0..100 %RH at the ends of the raw range', (t) => {
  const { tFine } = compensateTemperature(529191, pimoroni);
  t.is(compensateHumidity(0, tFine, pimoroni) / 1024, 0);
  t.is(compensateHumidity(0xffff, tFine, pimoroni) / 1024, 100);
});

test('returns 0 for pressure where the datasheet guards a division by zero (dig_P1 = 0)', (t) => {
  const c = { ...pimoroni, dig_P1: 0 };
  t.is(compensatePressure(326816, compensateTemperature(529191, c).tFine, c), 0);
});
