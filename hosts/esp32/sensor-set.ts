// Builds the node's sensors from its config: which driver, which bus, which fields of its sample become which
// quantities. The IO classes come from the platform (Moddable: embedded:io/smbus, embedded:io/i2c,
// embedded:io/serial); pins come from the config. A sensor that does not answer at boot is reported and left
// out, so a node with a dead particulate sensor still reports the weather. Sensors are started in the order of
// SENSOR_TYPES (BME280 first), and a quantity goes to the first sensor that started and measures it.
import type { SensorBinding } from '../../src/core/sampler.js';
import { FIELDS } from '../../src/core/sampler.js';
import { SENSOR_TYPES, type DeviceConfigV1, type SensorConfig } from './device-config.js';
import BME280 from './drivers/bme280.js';
import { PMS5003 } from './drivers/pms5003.js';
import { SCD4x } from './drivers/scd4x.js';
import { SDS011 } from './drivers/sds011.js';
import type { I2CIo, IoClass, SMBusIo } from './drivers/sensor-bus.js';
import type { SerialIoClass } from './drivers/serial-frames.js';
import SHT4x from './drivers/sht4x.js';

export interface SensorIo {
  SMBus: IoClass<SMBusIo>;
  I2C: IoClass<I2CIo>;
  Serial: SerialIoClass;
  /** Moddable Timer.delay: lets drivers wait for a conversion without spinning. */
  delay?: (ms: number) => void;
  /** Monotonic ms, for the serial drivers' freshness checks. */
  now: () => number;
}

export function sensorBindings(config: DeviceConfigV1, io: SensorIo, report: (sensor: string, message: string) => void): SensorBinding[] {
  const { pins } = config;
  const i2c = { data: pins.sda, clock: pins.scl, hz: 100_000 };
  const uart = { port: pins.uartPort, receive: pins.uartRx, transmit: pins.uartTx };
  const delay = io.delay ? { delay: io.delay } : {};
  const bindings: SensorBinding[] = [];
  const taken = new Set<string>();
  // Most accurate source first: the Sampler takes one source per quantity, so a quantity two sensors measure
  // (temperature from a BME280 and an SHT4x) comes from the first that started.
  const ordered = [...config.sensors].sort((a, b) => SENSOR_TYPES.indexOf(a.type) - SENSOR_TYPES.indexOf(b.type));
  for (const s of ordered) {
    const onError = (message: string) => report(s.type, message);
    const address: Record<string, number> = s.address !== undefined ? { address: s.address } : {};
    try {
      const binding = bind(s, { i2c: { ...i2c, ...address }, uart, delay, onError, io });
      const fields = binding.fields.filter((f) => !taken.has(f.quantity));
      for (const f of fields) taken.add(f.quantity);
      bindings.push({ ...binding, fields });
    } catch (error) {
      report(s.type, `not started: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  return bindings;
}

interface BindContext {
  i2c: Record<string, number>;
  uart: Record<string, number>;
  delay: { delay?: (ms: number) => void };
  onError: (message: string) => void;
  io: SensorIo;
}

function bind(s: SensorConfig, c: BindContext): SensorBinding {
  switch (s.type) {
    case 'bme280':
      return {
        name: 'bme280',
        sensor: new BME280({ sensor: { ...c.i2c, io: c.io.SMBus }, onError: c.onError, ...c.delay }),
        fields: [FIELDS.thermometer, FIELDS.hygrometer, FIELDS.barometer],
      };
    case 'sht4x':
      return {
        name: 'sht4x',
        sensor: new SHT4x({ sensor: { ...c.i2c, io: c.io.I2C }, onError: c.onError, ...c.delay }),
        fields: [FIELDS.thermometer, FIELDS.hygrometer],
      };
    case 'scd4x':
      return {
        name: 'scd4x',
        sensor: new SCD4x({ sensor: { ...c.i2c, io: c.io.I2C }, onError: c.onError, now: c.io.now, ...c.delay }),
        fields: [FIELDS.co2],
      };
    case 'pms5003':
      return {
        name: 'pms5003',
        sensor: new PMS5003({ sensor: { ...c.uart, io: c.io.Serial }, onError: c.onError, now: c.io.now }),
        fields: [FIELDS.pm1, FIELDS.pm2_5, FIELDS.pm10],
      };
    case 'sds011':
      return {
        name: 'sds011',
        sensor: new SDS011({ sensor: { ...c.uart, io: c.io.Serial }, onError: c.onError, now: c.io.now }),
        fields: [FIELDS.pm2_5, FIELDS.pm10],
      };
  }
}
