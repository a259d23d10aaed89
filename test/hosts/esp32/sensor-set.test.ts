// The config -> sensors step, with the drivers on emulated chips: the pins reach the bus, a missing sensor is
// reported and left out, and the quantities come from the right sensor.
import test from 'ava';
import { parseDeviceConfig } from '../../../hosts/esp32/device-config.js';
import { sensorBindings } from '../../../hosts/esp32/sensor-set.js';
import type { Bme280Calibration } from '../../../hosts/esp32/drivers/bme280-compensation.js';
import { Sampler } from '../../../src/core/sampler.js';
import { loadVectors } from '../../helpers/vectors.js';
import { EmulatedBme280 } from './emulators/bme280-chip.js';
import { EmulatedI2CBus } from './emulators/i2c-bus.js';
import { Pms5003Emulator } from './emulators/pms5003-emulator.js';
import { EmulatedSht4x } from './emulators/sht4x-chip.js';

const CALIBRATION = loadVectors<{ name: string; calibration: Bme280Calibration }>('bme280-compensation.json').vectors.find((v) => v.name.startsWith('Pimoroni'))!.calibration;
const base = { v: 1, wifiSsid: 'bench', wifiPassword: '', broker: 'mqtt://10.0.0.2', intervalS: 60, builtAt: 0 };

test('a weather node: BME280 on the configured I2C pins gives temperature, humidity and pressure', (t) => {
  const bus = new EmulatedI2CBus();
  bus.attach(0x77, new EmulatedBme280(CALIBRATION, { address: 0x77 }));
  const opened: Record<string, unknown>[] = [];
  const SMBus = class extends bus.io {
    constructor(options: Record<string, unknown>) {
      opened.push(options);
      super(options);
    }
  };
  const config = parseDeviceConfig({ ...base, sensors: [{ type: 'bme280', address: 0x77 }], pins: { sda: 25, scl: 26 } });
  const reports: string[] = [];
  const bindings = sensorBindings(config, { SMBus: SMBus as never, I2C: bus.io as never, Serial: undefined as never, delay: bus.delay, now: () => bus.now }, (s, m) => reports.push(`${s}: ${m}`));
  t.like(opened[0], { data: 25, clock: 26, address: 0x77 });
  bus.advance(1000);
  const quantities = new Sampler(bindings, () => {}).sample().map((m) => m.quantity);
  t.deepEqual(quantities.sort(), ['humidity', 'pressure', 'temperature']);
  t.deepEqual(reports, []);
});

test('a sensor missing at boot is reported and left out; the others still report', (t) => {
  const bus = new EmulatedI2CBus(); // no BME280 on it
  bus.attach(0x44, new EmulatedSht4x());
  const pms = new Pms5003Emulator();
  const config = parseDeviceConfig({ ...base, sensors: [{ type: 'bme280' }, { type: 'sht4x' }, { type: 'pms5003' }] });
  const reports: string[] = [];
  let now = 0;
  const bindings = sensorBindings(config, { SMBus: bus.io as never, I2C: bus.io as never, Serial: pms.port.Io, delay: bus.delay, now: () => now }, (s, m) => reports.push(`${s}: ${m}`));
  t.deepEqual(bindings.map((b) => b.name), ['sht4x', 'pms5003']);
  t.regex(reports[0]!, /^bme280: not started/);
  t.like(pms.port.opened[0], { port: 2, receive: 16, transmit: 17, baud: 9600 });
  // Without the BME280 the SHT4x supplies temperature and humidity.
  t.deepEqual(bindings[0]!.fields.map((f) => f.quantity), ['temperature', 'humidity']);
  now = 31_000;
  bus.advance(31_000);
  pms.tick();
  const quantities = new Sampler(bindings, () => {}).sample().map((m) => m.quantity).sort();
  t.deepEqual(quantities, ['humidity', 'pm1', 'pm10', 'pm2_5', 'temperature']);
});

test('with a BME280 present, an SHT4x adds no second temperature source', (t) => {
  const bus = new EmulatedI2CBus();
  bus.attach(0x76, new EmulatedBme280(CALIBRATION));
  bus.attach(0x44, new EmulatedSht4x());
  const config = parseDeviceConfig({ ...base, sensors: [{ type: 'bme280' }, { type: 'sht4x' }] });
  const bindings = sensorBindings(config, { SMBus: bus.io as never, I2C: bus.io as never, Serial: undefined as never, delay: bus.delay, now: () => bus.now }, () => {});
  t.notThrows(() => new Sampler(bindings, () => {}));
  t.deepEqual(bindings[1]!.fields, []);
});
