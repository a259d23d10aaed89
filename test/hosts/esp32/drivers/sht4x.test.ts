// The SHT4x driver against an emulated sensor on an emulated bus (test/hosts/esp32/emulators).
import test from 'ava';
import SHT4x, { Command, humidityFromTicks, temperatureFromTicks, type Sht4xConfiguration } from '../../../../hosts/esp32/drivers/sht4x.js';
import { EmulatedI2CBus, type BusFault } from '../emulators/i2c-bus.js';
import { EmulatedSht4x, ticksForTemperature } from '../emulators/sht4x-chip.js';

const PINS = Object.freeze({ data: 21, clock: 22, port: 0 });

interface Rig {
  bus: EmulatedI2CBus;
  chip: EmulatedSht4x;
  sensor: SHT4x;
  errors: string[];
}

function rig(options: { delay?: boolean; address?: number; configure?: Sht4xConfiguration } = {}): Rig {
  const bus = new EmulatedI2CBus();
  const chip = new EmulatedSht4x({ address: options.address ?? 0x44 });
  bus.attach(chip.address, chip);
  const errors: string[] = [];
  const sensor = new SHT4x({
    sensor: { ...PINS, io: bus.io, ...(options.address ? { address: options.address } : {}) },
    onError: (message) => errors.push(message),
    ...(options.delay === false ? {} : { delay: bus.delay }),
  });
  if (options.configure) sensor.configure(options.configure);
  bus.advance(1_000);
  return { bus, chip, sensor, errors };
}

/** The exact values the datasheet formulas give for the emulator's ticks. */
function expected(chip: EmulatedSht4x): { temperature: number; humidity: number } {
  return {
    temperature: -45 + (175 * chip.ticks.temperature) / 65535,
    humidity: Math.min(100, Math.max(0, -6 + (125 * chip.ticks.humidity) / 65535)),
  };
}

const conditions = test.macro((t, c: { temperature: number; humidity: number }) => {
  const r = rig();
  r.chip.setConditions(c);
  const sample = r.sensor.sample();
  t.deepEqual(sample, { thermometer: { temperature: expected(r.chip).temperature }, hygrometer: { humidity: expected(r.chip).humidity } });
  t.true(Math.abs(sample!.thermometer!.temperature - c.temperature) < 0.003); // one tick is 0.0027 °C
  t.true(Math.abs(sample!.hygrometer!.humidity - c.humidity) < 0.002); // one tick is 0.0019 %RH
  t.deepEqual(r.errors, []);
});

test('reads a cold morning: -20 °C, 70 %RH', conditions, { temperature: -20, humidity: 70 });
test('reads a hot afternoon: 45 °C, 15 %RH', conditions, { temperature: 45, humidity: 15 });
test('reads humid air: 28 °C, 97 %RH', conditions, { temperature: 28, humidity: 97 });
test('reads dry air: 22 °C, 2 %RH', conditions, { temperature: 22, humidity: 2 });

test('converts ticks with the datasheet formulas', (t) => {
  t.is(temperatureFromTicks(0), -45);
  t.is(temperatureFromTicks(65535), 130);
  t.is(temperatureFromTicks(0x6666), -45 + (175 * 0x6666) / 65535);
  t.is(humidityFromTicks(0x8000), -6 + (125 * 0x8000) / 65535);
});

test('crops relative humidity to 0..100 %RH', (t) => {
  const r = rig();
  r.chip.ticks = { temperature: ticksForTemperature(20), humidity: 0 }; // -6 %RH before cropping
  t.is(r.sensor.sample()!.hygrometer!.humidity, 0);
  r.chip.ticks = { temperature: ticksForTemperature(20), humidity: 0xffff }; // 119 %RH before cropping
  t.is(r.sensor.sample()!.hygrometer!.humidity, 100);
});

test('with a delay, measures at sample time with command 0xFD and a 10 ms wait', (t) => {
  const r = rig();
  r.bus.delays.length = 0;
  r.chip.commands.length = 0;
  r.chip.setConditions({ temperature: 12.5, humidity: 81 });
  const sample = r.sensor.sample();
  t.deepEqual(r.chip.commands, [Command.MEASURE_HIGH_PRECISION]);
  t.deepEqual(r.bus.delays, [10]);
  t.is(sample!.thermometer!.temperature, expected(r.chip).temperature);
});

test('configure({precision}) selects the measurement command and its wait', (t) => {
  for (const [precision, command, wait] of [['medium', 0xf6, 5], ['low', 0xe0, 2], ['high', 0xfd, 10]] as const) {
    const r = rig({ configure: { precision } });
    r.chip.commands.length = 0;
    r.bus.delays.length = 0;
    t.truthy(r.sensor.sample());
    t.deepEqual(r.chip.commands, [command], precision);
    t.deepEqual(r.bus.delays, [wait], precision);
    t.deepEqual(r.sensor.configuration, { precision });
  }
});

test('configure() refuses an unknown precision with a RangeError naming it', (t) => {
  const r = rig();
  t.throws(() => r.sensor.configure({ precision: 'ultra' as never }), { instanceOf: RangeError, message: /precision/ });
  t.deepEqual(r.sensor.configuration, { precision: 'high' });
});

test('soft-resets the sensor (0x94) and reads its serial number (0x89) at construction', (t) => {
  const r = rig();
  t.deepEqual(r.chip.commands.slice(0, 2), [Command.SOFT_RESET, Command.READ_SERIAL_NUMBER]);
  t.is(r.sensor.serialNumber, r.chip.serialNumber);
});

test('opens the bus with the host pins, address 0x44 and 400 kHz by default', (t) => {
  const r = rig();
  t.like(r.bus.opened[0]!.options, { ...PINS, address: 0x44, hz: 400_000 });
});

test('uses the address the host gives (0x45, an SHT4x-B part)', (t) => {
  const r = rig({ address: 0x45 });
  t.like(r.bus.opened[0]!.options, { address: 0x45 });
  t.truthy(r.sensor.sample());
});

test('without a delay, constructs by polling the busy sensor on the bus', (t) => {
  const r = rig({ delay: false });
  t.deepEqual(r.bus.delays, []);
  t.is(r.sensor.serialNumber, r.chip.serialNumber);
});

test('without a delay, sample() reads the conversion the previous call started', (t) => {
  const r = rig({ delay: false });
  r.chip.setConditions({ temperature: 30, humidity: 50 });
  const first = r.sensor.sample(); // started at construction, at the emulator's initial 21.5 °C
  r.bus.advance(60_000);
  const second = r.sensor.sample(); // started by the first sample, at 30 °C
  t.true(Math.abs(first!.thermometer!.temperature - 21.5) < 0.003);
  t.true(Math.abs(second!.thermometer!.temperature - 30) < 0.003);
  t.deepEqual(r.errors, []);
});

test('without a delay, sampling faster than the conversion time is reported', (t) => {
  const r = rig({ delay: false });
  t.truthy(r.sensor.sample());
  t.is(r.sensor.sample(), undefined);
  t.regex(r.errors[0]!, /^sht4x@0x44: no measurement to read .*sampling faster than the conversion time/);
  r.bus.advance(1_000);
  t.truthy(r.sensor.sample(), 'a conversion was started again');
});

// Faults: onError is told, the fields are left out, sample() does not throw.

test('a temperature word failing its CRC is reported and left out', (t) => {
  const r = rig();
  r.chip.corrupt.add('temperature');
  t.deepEqual(r.sensor.sample(), { hygrometer: { humidity: expected(r.chip).humidity } });
  t.deepEqual(r.errors, ['sht4x@0x44: temperature word fails its CRC; temperature left out']);
});

test('a humidity word failing its CRC is reported and left out', (t) => {
  const r = rig();
  r.chip.corrupt.add('humidity');
  t.deepEqual(r.sensor.sample(), { thermometer: { temperature: expected(r.chip).temperature } });
  t.deepEqual(r.errors, ['sht4x@0x44: humidity word fails its CRC; humidity left out']);
});

test('both words failing their CRC give no sample', (t) => {
  const r = rig();
  r.chip.corrupt.add('temperature').add('humidity');
  t.is(r.sensor.sample(), undefined);
  t.is(r.errors.length, 2);
});

const busFault = test.macro((t, fault: BusFault, expectedMessage: RegExp) => {
  const r = rig();
  r.bus.fault = fault;
  let sample: unknown = 'not called';
  t.notThrows(() => {
    sample = r.sensor.sample();
  });
  t.is(sample, undefined);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0]!, expectedMessage);
});

test('a sensor that stops answering (NACK) is reported and left out', busFault, 'nack', /^sht4x@0x44: no measurement to read \(.*no acknowledge/);
test('a bus timeout is reported and left out', busFault, 'timeout', /^sht4x@0x44: no measurement to read \(.*timeout/);
test('a bus stuck high (all 0xFF) is reported and left out', busFault, 'stuck-high', /^sht4x@0x44: bus stuck: measurement reads all 0xff$/);
test('a bus stuck low (all 0x00) is reported and left out', busFault, 'stuck-low', /^sht4x@0x44: bus stuck: measurement reads all 0x00$/);

test('an onError handler that throws does not make sample() throw', (t) => {
  const bus = new EmulatedI2CBus().attach(0x44, new EmulatedSht4x());
  const sensor = new SHT4x({ sensor: { io: bus.io }, delay: bus.delay, onError: () => { throw new Error('handler bug'); } });
  bus.fault = 'nack';
  t.is(sensor.sample(), undefined);
});

// Construction

test('throws at construction when no sensor answers, and releases the bus', (t) => {
  const bus = new EmulatedI2CBus();
  t.throws(() => new SHT4x({ sensor: { io: bus.io }, delay: bus.delay }), { message: /^sht4x@0x44: no response to soft reset \(0x94\): .*no acknowledge/ });
  t.is(bus.opened.length, 1);
  t.deepEqual(bus.open, []);
});

test('throws at construction when the serial number fails its CRC, and releases the bus', (t) => {
  const bus = new EmulatedI2CBus();
  const chip = new EmulatedSht4x();
  chip.corrupt.add('serial-low');
  bus.attach(0x44, chip);
  t.throws(() => new SHT4x({ sensor: { io: bus.io }, delay: bus.delay }), { message: /^sht4x@0x44: serial number fails its CRC/ });
  t.deepEqual(bus.open, []);
});

test('throws at construction when the bus reads all 0xFF, and releases the bus', (t) => {
  const bus = new EmulatedI2CBus();
  bus.attach(0x44, new EmulatedSht4x());
  bus.fault = 'stuck-high';
  t.throws(() => new SHT4x({ sensor: { io: bus.io }, delay: bus.delay }), { message: /^sht4x@0x44: bus stuck: serial number reads all 0xff/ });
  t.deepEqual(bus.open, []);
});

test('refuses malformed options with a TypeError naming them', (t) => {
  t.throws(() => new SHT4x({ sensor: { io: 42 } } as never), { instanceOf: TypeError, message: /options\.sensor\.io/ });
  const bus = new EmulatedI2CBus();
  t.throws(() => new SHT4x({ sensor: { io: bus.io }, delay: 10 } as never), { instanceOf: TypeError, message: /options\.delay/ });
});

// close()

test('close() releases the bus, and sample() afterwards reports without throwing', (t) => {
  const r = rig();
  r.sensor.close();
  r.sensor.close();
  t.deepEqual(r.bus.open, []);
  t.is(r.sensor.sample(), undefined);
  t.deepEqual(r.errors, ['sht4x@0x44: closed']);
});
