// The BME280 driver against an emulated chip on an emulated bus (test/hosts/esp32/emulators).
import test from 'ava';
import BME280, { maxMeasurementMs, type Bme280Configuration } from '../../../../hosts/esp32/drivers/bme280.js';
import type { Bme280Calibration } from '../../../../hosts/esp32/drivers/bme280-compensation.js';
import { FIELDS, Sampler, type SensorError } from '../../../../src/core/sampler.js';
import { loadVectors } from '../../../helpers/vectors.js';
import { EmulatedBme280 } from '../emulators/bme280-chip.js';
import { referenceOf, type Conditions } from '../emulators/bme280-reference.js';
import { EmulatedI2CBus, type BusFault } from '../emulators/i2c-bus.js';

// A real chip's trimming parameters, from the Pimoroni vector (test/vectors/bme280-compensation.json).
const CALIBRATION = loadVectors<{ name: string; calibration: Bme280Calibration }>('bme280-compensation.json').vectors.find((v) =>
  v.name.startsWith('Pimoroni'),
)!.calibration;

const PINS = Object.freeze({ data: 21, clock: 22, port: 0 }); // what an ESP32 host's device.I2C.default carries

interface Rig {
  bus: EmulatedI2CBus;
  chip: EmulatedBme280;
  sensor: BME280;
  errors: string[];
}

function rig(options: { delay?: boolean; address?: number; configure?: Bme280Configuration; conditions?: Conditions; settle?: boolean } = {}): Rig {
  const bus = new EmulatedI2CBus();
  const chip = new EmulatedBme280(CALIBRATION, { address: options.address ?? 0x76 });
  if (options.conditions) chip.setConditions(options.conditions, CALIBRATION);
  bus.attach(chip.address, chip);
  const errors: string[] = [];
  const sensor = new BME280({
    sensor: { ...PINS, io: bus.io, ...(options.address ? { address: options.address } : {}) },
    onError: (message) => errors.push(message),
    ...(options.delay ? { delay: bus.delay } : {}),
  });
  if (options.configure) sensor.configure(options.configure);
  if (options.settle !== false) bus.advance(1_000); // the host samples long after construction; normal mode has converted by then
  return { bus, chip, sensor, errors };
}

const TOLERANCE = { temperature: 0.005, pressure: 0.5, humidity: 0.01 }; // see test/vectors/bme280-compensation.json

function assertMatchesReference(t: import('ava').ExecutionContext, r: Rig, sample: ReturnType<BME280['sample']>): void {
  const ref = referenceOf(r.chip.adc, CALIBRATION);
  t.truthy(sample, r.errors.join('; '));
  t.true(Math.abs(sample!.thermometer!.temperature - ref.temperature) <= TOLERANCE.temperature, `T ${sample!.thermometer!.temperature} vs ${ref.temperature}`);
  t.true(Math.abs(sample!.barometer!.pressure - ref.pressure) <= TOLERANCE.pressure, `p ${sample!.barometer!.pressure} vs ${ref.pressure}`);
  t.true(Math.abs(sample!.hygrometer!.humidity - ref.humidity) <= TOLERANCE.humidity, `RH ${sample!.hygrometer!.humidity} vs ${ref.humidity}`);
}

const conditions = test.macro((t, c: Conditions) => {
  const r = rig({ conditions: c });
  const sample = r.sensor.sample();
  assertMatchesReference(t, r, sample);
  // and the reference itself sits on the requested conditions, to one raw step
  t.true(Math.abs(sample!.thermometer!.temperature - c.temperature) < 0.02);
  t.true(Math.abs(sample!.barometer!.pressure - c.pressure) < 2);
  t.true(Math.abs(sample!.hygrometer!.humidity - c.humidity) < 0.05);
  t.deepEqual(r.errors, []);
});

test('reads a cold morning: -20 °C, 70 %RH, 102000 Pa', conditions, { temperature: -20, humidity: 70, pressure: 102_000 });
test('reads a hot afternoon: 45 °C, 15 %RH, 100500 Pa', conditions, { temperature: 45, humidity: 15, pressure: 100_500 });
test('reads humid air: 28 °C, 97 %RH, 100800 Pa', conditions, { temperature: 28, humidity: 97, pressure: 100_800 });
test('reads low pressure at altitude: 2 °C, 40 %RH, 60000 Pa', conditions, { temperature: 2, humidity: 40, pressure: 60_000 });

test('reports °C, %RH on 0..100 and Pa in the shape the sampler maps to the wire units', (t) => {
  const r = rig({ conditions: { temperature: 21.37, humidity: 45.5, pressure: 101_325 } });
  const errors: SensorError[] = [];
  const sampler = new Sampler([{ name: 'bme280@0x76', sensor: r.sensor, fields: [FIELDS.thermometer, FIELDS.hygrometer, FIELDS.barometer] }], (e) => errors.push(e));
  const measurements = sampler.sample();
  t.deepEqual(errors, []);
  t.deepEqual(
    measurements.map((m) => [m.quantity, m.unit]),
    [['temperature', 'Cel'], ['humidity', '%RH'], ['pressure', 'Pa']],
  );
  const value = (q: string) => measurements.find((m) => m.quantity === q)!.value;
  t.true(Math.abs(value('temperature') - 21.37) < 0.02);
  t.true(Math.abs(value('humidity') - 45.5) < 0.05); // a percentage, not Moddable BME68x's 0..1 fraction
  t.true(Math.abs(value('pressure') - 101_325) < 2);
});

test('opens the bus with the host pins, address 0x76 and 400 kHz by default', (t) => {
  const r = rig();
  t.like(r.bus.opened[0]!.options, { ...PINS, address: 0x76, hz: 400_000 });
});

test('uses the address the host gives (0x77, SDO high)', (t) => {
  const r = rig({ address: 0x77 });
  t.like(r.bus.opened[0]!.options, { address: 0x77 });
  t.truthy(r.sensor.sample());
});

test('soft-resets the chip and waits for the NVM copy before reading the calibration', (t) => {
  const r = rig({ delay: true });
  const log = r.bus.log;
  const reset = log.findIndex((x) => x.kind === 'write' && x.bytes[0] === 0xe0 && x.bytes[1] === 0xb6);
  const calibration = log.findIndex((x) => x.kind === 'write' && x.bytes.length === 1 && x.bytes[0] === 0x88);
  t.true(reset >= 0 && calibration > reset);
  t.true(log[calibration]!.at >= log[reset]!.at + 2, 'start-up time (2 ms) passes before the calibration read');
  t.is(r.bus.delays[0], 2);
});

test('constructs without a delay by polling the status register through the start-up time', (t) => {
  const r = rig({ delay: false, conditions: { temperature: 10, humidity: 50, pressure: 95_000 } });
  t.is(r.bus.delays.length, 0);
  assertMatchesReference(t, r, r.sensor.sample());
});

test('configure() writes oversampling, filter, standby and mode to their registers', (t) => {
  const r = rig({ configure: { temperatureOversampling: 2, pressureOversampling: 16, humidityOversampling: 4, filter: 8, standby: 62.5 } });
  t.is(r.chip.registers[0xf4], (0b010 << 5) | (0b101 << 2) | 0b11); // osrs_t ×2, osrs_p ×16, normal
  t.is(r.chip.registers[0xf2], 0b011); // osrs_h ×4
  t.is(r.chip.registers[0xf5], (0b001 << 5) | (0b011 << 2)); // t_sb 62.5 ms, filter 8
  t.like(r.sensor.configuration, { temperatureOversampling: 2, pressureOversampling: 16, humidityOversampling: 4, filter: 8, standby: 62.5, mode: 'normal' });
});

test('configure() writes config in sleep mode and ctrl_hum before ctrl_meas', (t) => {
  const r = rig();
  r.chip.writes.length = 0;
  r.sensor.configure({ filter: 4, humidityOversampling: 2 });
  t.deepEqual(
    r.chip.writes.map(([register]) => register),
    [0xf4, 0xf5, 0xf2, 0xf4],
  );
  t.is(r.chip.writes[0]![1] & 0b11, 0b00, 'sleep first, or the chip may ignore the config write (§5.4.6)');
  t.is(r.chip.registers[0xf5], 0b010 << 2 | (0b101 << 5));
});

test('configure() refuses an unknown setting with a RangeError naming it', (t) => {
  const r = rig();
  t.throws(() => r.sensor.configure({ filter: 3 as never }), { instanceOf: RangeError, message: /filter/ });
  t.throws(() => r.sensor.configure({ humidityOversampling: 32 as never }), { instanceOf: RangeError, message: /humidityOversampling/ });
  t.throws(() => r.sensor.configure({ standby: 2000 as never }), { instanceOf: RangeError, message: /standby/ });
  t.throws(() => r.sensor.configure({ mode: 'sleep' as never }), { instanceOf: RangeError, message: /mode/ });
  t.like(r.sensor.configuration, { filter: 0, humidityOversampling: 1, standby: 1000, mode: 'normal' });
});

test('forced mode with a delay converts at sample time, waiting the §9.1 maximum measurement time', (t) => {
  const r = rig({ delay: true, configure: { mode: 'forced', temperatureOversampling: 2, pressureOversampling: 4, humidityOversampling: 1 } });
  r.chip.setConditions({ temperature: 31, humidity: 60, pressure: 99_000 }, CALIBRATION);
  r.bus.delays.length = 0;
  const sample = r.sensor.sample();
  assertMatchesReference(t, r, sample);
  t.deepEqual(r.bus.delays, [Math.ceil(maxMeasurementMs({ temperatureOversampling: 2, pressureOversampling: 4, humidityOversampling: 1 }))]);
  t.is(r.chip.mode, 0b00, 'the chip is back asleep');
});

test('forced mode without a delay reads the conversion started by the previous sample', (t) => {
  const r = rig({ configure: { mode: 'forced' }, conditions: { temperature: 5, humidity: 30, pressure: 101_000 } });
  r.chip.setConditions({ temperature: 25, humidity: 80, pressure: 99_000 }, CALIBRATION);
  const first = r.sensor.sample(); // converted at configure time: 5 °C
  r.bus.advance(60_000);
  const second = r.sensor.sample(); // converted at the first sample: 25 °C
  t.true(Math.abs(first!.thermometer!.temperature - 5) < 0.02);
  t.true(Math.abs(second!.thermometer!.temperature - 25) < 0.02);
  t.deepEqual(r.errors, []);
});

test('forced mode without a delay reports sampling faster than the conversion', (t) => {
  const r = rig({ configure: { mode: 'forced', temperatureOversampling: 16, pressureOversampling: 16, humidityOversampling: 16 } });
  t.truthy(r.sensor.sample());
  t.is(r.sensor.sample(), undefined); // ~113 ms conversion, sampled again at once
  t.regex(r.errors.join('\n'), /bme280@0x76: .*still running/);
});

test('leaves out a quantity whose oversampling is 0, without an error', (t) => {
  const r = rig({ configure: { humidityOversampling: 0 } });
  r.bus.advance(1_000);
  const sample = r.sensor.sample();
  t.deepEqual(Object.keys(sample!).sort(), ['barometer', 'thermometer']);
  t.deepEqual(r.errors, []);
});

test('reports that no conversion has completed when sampled right after construction', (t) => {
  const r = rig({ settle: false });
  t.is(r.sensor.sample(), undefined);
  t.regex(r.errors[0]!, /bme280@0x76: temperature not measured .*no conversion has completed/);
});

test('after a brown-out it reports the lost settings, writes them again and recovers', (t) => {
  const r = rig({ configure: { filter: 16 } });
  r.chip.brownOut(r.bus.now);
  r.bus.advance(10);
  t.is(r.sensor.sample(), undefined);
  t.regex(r.errors[0]!, /lost its settings/);
  t.is(r.chip.registers[0xf5]! & 0x1c, 0b100 << 2, 'filter restored');
  r.bus.advance(1_000);
  assertMatchesReference(t, r, r.sensor.sample());
});

test('in forced mode without a delay, a conversion lost to a reset is reported and the next sample works', (t) => {
  const r = rig({ configure: { mode: 'forced' } });
  r.chip.brownOut(r.bus.now);
  r.bus.advance(10);
  t.is(r.sensor.sample(), undefined);
  t.regex(r.errors[0]!, /temperature not measured \(raw 0x80000: the conversion was lost \(chip reset\?\); a new one has been started\)/);
  r.bus.advance(1_000);
  assertMatchesReference(t, r, r.sensor.sample());
});

// Faults: onError is told, the fields are left out, sample() does not throw.

const busFault = test.macro((t, fault: BusFault, expected: RegExp) => {
  const r = rig();
  r.bus.fault = fault;
  let sample: unknown = 'not called';
  t.notThrows(() => {
    sample = r.sensor.sample();
  });
  t.is(sample, undefined);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0]!, expected);
});

test('a chip that stops answering (NACK) is reported and left out', busFault, 'nack', /^bme280@0x76: no response: .*no acknowledge/);
test('a bus timeout is reported and left out', busFault, 'timeout', /^bme280@0x76: no response: .*timeout/);
test('a bus stuck high (all 0xFF) is reported and left out', busFault, 'stuck-high', /^bme280@0x76: bus stuck: chip id reads 0xff/);
test('a bus stuck low (all 0x00) is reported and left out', busFault, 'stuck-low', /^bme280@0x76: bus stuck: chip id reads 0x00/);

const stuckData = test.macro((t, byte: 0x00 | 0xff) => {
  const r = rig();
  const read = r.chip.read.bind(r.chip);
  r.chip.read = (length, now) => (length === 8 ? new Uint8Array(8).fill(byte) : read(length, now)); // the burst from 0xF7
  t.is(r.sensor.sample(), undefined);
  t.deepEqual(r.errors, [`bme280@0x76: bus stuck: data registers 0xf7..0xfe read all 0x${byte.toString(16).padStart(2, '0')}`]);
});

test('data registers reading all 0xFF are reported as a stuck bus', stuckData, 0xff);
test('data registers reading all 0x00 are reported as a stuck bus', stuckData, 0x00);

test('a chip swapped for a BMP280 is reported at sample time', (t) => {
  const r = rig();
  r.chip.chipId = 0x58;
  t.is(r.sensor.sample(), undefined);
  t.regex(r.errors[0]!, /unexpected chip id 0x58 \(a BMP280, which has no humidity sensor\), expected 0x60/);
});

test('an onError handler that throws does not make sample() throw', (t) => {
  const bus = new EmulatedI2CBus().attach(0x76, new EmulatedBme280(CALIBRATION));
  const sensor = new BME280({ sensor: { io: bus.io }, onError: () => { throw new Error('handler bug'); } });
  bus.fault = 'nack';
  t.is(sensor.sample(), undefined);
});

test('a failing sensor leaves its fields out of the node\'s measurements', (t) => {
  const r = rig();
  r.bus.fault = 'nack';
  const reported: SensorError[] = [];
  const sampler = new Sampler([{ name: 'bme280@0x76', sensor: r.sensor, fields: [FIELDS.thermometer, FIELDS.hygrometer, FIELDS.barometer] }], (e) => reported.push(e));
  t.deepEqual(sampler.sample(), []);
  t.is(r.errors.length, 1);
  t.true(reported.length > 0);
});

// Construction

test('throws at construction when no chip answers, and releases the bus', (t) => {
  const bus = new EmulatedI2CBus();
  t.throws(() => new BME280({ sensor: { io: bus.io } }), { message: /^bme280@0x76: no response reading the chip id: .*no acknowledge/ });
  t.is(bus.opened.length, 1);
  t.deepEqual(bus.open, []);
});

test('rejects a BMP280 (chip id 0x58) at construction, and releases the bus', (t) => {
  const bus = new EmulatedI2CBus();
  const chip = new EmulatedBme280(CALIBRATION);
  chip.chipId = 0x58;
  bus.attach(0x76, chip);
  t.throws(() => new BME280({ sensor: { io: bus.io } }), { message: /chip id 0x58 \(a BMP280.*expected 0x60/ });
  t.deepEqual(bus.open, []);
});

test('rejects calibration that reads all 0xFF at construction', (t) => {
  const bus = new EmulatedI2CBus();
  const chip = new EmulatedBme280(CALIBRATION);
  bus.attach(0x76, chip);
  const read = chip.read.bind(chip);
  chip.read = (length, now) => (length === 26 ? new Uint8Array(26).fill(0xff) : read(length, now));
  t.throws(() => new BME280({ sensor: { io: bus.io } }), { message: /calibration reads all 0xff/ });
  t.deepEqual(bus.open, []);
});

test('refuses malformed options with a TypeError naming them', (t) => {
  t.throws(() => new BME280(undefined as never), { instanceOf: TypeError, message: /options/ });
  t.throws(() => new BME280({} as never), { instanceOf: TypeError, message: /options\.sensor/ });
  t.throws(() => new BME280({ sensor: {} } as never), { instanceOf: TypeError, message: /options\.sensor\.io/ });
});

// close()

test('close() puts the chip to sleep and releases the bus', (t) => {
  const r = rig();
  r.sensor.close();
  t.is(r.chip.mode, 0b00);
  t.deepEqual(r.bus.open, []);
});

test('sample() after close() reports and returns nothing', (t) => {
  const r = rig();
  r.sensor.close();
  r.sensor.close();
  t.is(r.sensor.sample(), undefined);
  t.deepEqual(r.errors, ['bme280@0x76: closed']);
});
