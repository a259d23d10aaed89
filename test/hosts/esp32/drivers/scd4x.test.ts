import test from 'ava';
import { SCD4x, type Scd4xOptions } from '../../../../hosts/esp32/drivers/scd4x.js';
import { FIELDS, Sampler, type SensorError } from '../../../../src/core/sampler.js';
import { loadVectors } from '../../../helpers/vectors.js';
import { EmulatedI2CBus } from '../emulators/i2c-bus.js';
import { SCD4X_ADDRESS, Scd4xCommand as C, Scd4xEmulator, crc8 } from '../emulators/scd4x-emulator.js';

interface Vector {
  name: string;
  kind: string;
  command?: string;
  response?: string;
  printedResponse?: string;
  write?: string;
  co2?: number;
  temperature?: number;
  humidity?: number;
  tolerance?: number;
  serialNumber?: string;
  serialNumberDecimal?: string;
  altitude?: number;
  ambientPressure?: number;
  data?: string;
  crc?: string;
}

const { vectors } = loadVectors<Vector>('scd4x-datasheet.json');
const vector = (kind: string) => vectors.find((v) => v.kind === kind)!;
const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const toHex = (bytes: readonly number[]) => Buffer.from(bytes).toString('hex');

function setup(options: Partial<Scd4xOptions> = {}, { attach = true } = {}) {
  const emulator = new Scd4xEmulator();
  const bus = new EmulatedI2CBus();
  if (attach) bus.attach(SCD4X_ADDRESS, emulator);
  const errors: string[] = [];
  const sensor = new SCD4x({
    sensor: { io: bus.io },
    onError: (message) => errors.push(message),
    now: () => bus.now,
    delay: bus.delay,
    ...options,
  });
  return { bus, emulator, sensor, errors };
}

/** Lets the first measurement of periodic mode come in (§3.5.1: every 5 s). */
const untilMeasured = (bus: EmulatedI2CBus) => bus.advance(5_000);

test('the datasheet CRC check value holds for the emulator CRC the tests rely on', (t) => {
  const v = vector('crc');
  const [hi, lo] = fromHex(v.data!);
  t.is(crc8(hi!, lo!), Number.parseInt(v.crc!, 16));
});

test("the datasheet's read_measurement example decodes to 500 ppm, 25 °C and 37 %RH", (t) => {
  const v = vector('read_measurement');
  const { bus, emulator, sensor, errors } = setup();
  untilMeasured(bus);
  emulator.co2 = 0xffff; // proves the values come from the datasheet bytes below
  const original = emulator.write.bind(emulator);
  emulator.write = (bytes, now) => {
    original(bytes, now);
    if (((bytes[0]! << 8) | bytes[1]!) === C.READ_MEASUREMENT) emulator.responseOverride = fromHex(v.response!);
  };
  const result = sensor.sample();
  t.deepEqual(errors, []);
  t.is(result?.carbonDioxide?.co2, v.co2);
  t.true(Math.abs(result!.thermometer!.temperature - v.temperature!) < v.tolerance!);
  t.true(Math.abs(result!.hygrometer!.humidity - v.humidity!) < v.tolerance!);
});

test("the CO2 CRC as printed in the datasheet's Table 11 (an erratum) is rejected", (t) => {
  const v = vector('read_measurement');
  const { bus, emulator, sensor, errors } = setup();
  untilMeasured(bus);
  const original = emulator.write.bind(emulator);
  emulator.write = (bytes, now) => {
    original(bytes, now);
    if (((bytes[0]! << 8) | bytes[1]!) === C.READ_MEASUREMENT) emulator.responseOverride = fromHex(v.printedResponse!);
  };
  t.is(sensor.sample(), undefined);
  t.regex(errors.join('\n'), /scd4x: read_measurement: CRC mismatch in word 0/);
});

test("the datasheet's not-ready status word (Table 22: 0x8000) means no new measurement, so none is read", (t) => {
  const v = vector('get_data_ready_status');
  const { bus, emulator, sensor, errors } = setup();
  bus.advance(60_000);
  const original = emulator.write.bind(emulator);
  emulator.write = (bytes, now) => {
    original(bytes, now);
    if (((bytes[0]! << 8) | bytes[1]!) === C.GET_DATA_READY_STATUS) emulator.responseOverride = fromHex(v.response!);
  };
  const before = emulator.commands.length;
  t.is(sensor.sample(), undefined);
  t.deepEqual(emulator.commandCodes.slice(before), [C.GET_DATA_READY_STATUS]);
  t.deepEqual(errors, ['scd4x: no new measurement: get_data_ready_status says not ready']);
});

test('start-up sends wake_up, stop, reinit, get_serial_number, start_periodic_measurement in that order', (t) => {
  const { emulator, errors } = setup();
  t.deepEqual(errors, []);
  t.deepEqual(emulator.commandCodes, [C.WAKE_UP, C.STOP_PERIODIC_MEASUREMENT, C.REINIT, C.GET_SERIAL_NUMBER, C.START_PERIODIC_MEASUREMENT]);
  t.is(emulator.mode, 'periodic');
});

test("start-up waits Table 9's execution times: 20 ms after wake_up, 500 after stop, 20 after reinit, 1 before a read", (t) => {
  const { bus } = setup();
  t.deepEqual(bus.delays, [20, 500, 20, 1, 0]);
});

test("the serial number is read at start-up and matches the datasheet's Table 24 example", (t) => {
  const v = vector('get_serial_number');
  const { sensor } = setup();
  t.is(sensor.identification.serialNumber, v.serialNumber);
  t.is(BigInt('0x' + sensor.identification.serialNumber!).toString(), v.serialNumberDecimal!);
});

test('the driver opens the bus at address 0x62 and 100 kHz unless the host overrides them', (t) => {
  const { bus } = setup();
  t.like(bus.opened[0]!.options, { address: 0x62, hz: 100_000 });
});

test('a ready measurement is returned in ppm, °C and %RH', (t) => {
  const { bus, emulator, sensor, errors } = setup();
  emulator.setClimate(815, 21.37, 45.5);
  untilMeasured(bus);
  const result = sensor.sample()!;
  t.deepEqual(errors, []);
  t.is(result.carbonDioxide!.co2, 815);
  t.true(Math.abs(result.thermometer!.temperature - 21.37) < 0.002);
  t.true(Math.abs(result.hygrometer!.humidity - 45.5) < 0.001);
});

test('through the Sampler, the sample maps to co2 ppm, temperature Cel and humidity %RH measurements', (t) => {
  const { bus, emulator, sensor } = setup();
  emulator.setClimate(612, 21.37, 45.5);
  untilMeasured(bus);
  const samplerErrors: SensorError[] = [];
  const sampler = new Sampler([{ name: 'scd41@0x62', sensor, fields: [FIELDS.co2, FIELDS.thermometer, FIELDS.hygrometer] }], (e) => samplerErrors.push(e));
  const measurements = sampler.sample();
  t.deepEqual(samplerErrors, []);
  t.deepEqual(
    measurements.map((m) => [m.quantity, m.unit, Math.round(m.value * 100) / 100]),
    [
      ['co2', 'ppm', 612],
      ['temperature', 'Cel', 21.37],
      ['humidity', '%RH', 45.5],
    ],
  );
});

test('before the first measurement is ready, sample() reports it and returns nothing', (t) => {
  const { sensor, errors } = setup();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['scd4x: no measurement yet: the first is ready 5 s after start_periodic_measurement']);
});

test('while no new measurement is ready, a measurement read within maxAge is returned again', (t) => {
  const { bus, sensor, errors } = setup();
  untilMeasured(bus);
  const first = sensor.sample();
  bus.advance(1_000);
  t.deepEqual(sensor.sample(), first);
  t.deepEqual(errors, []);
});

test('a sensor that stops producing measurements is reported once the last one is older than maxAge', (t) => {
  const { bus, emulator, sensor, errors } = setup();
  untilMeasured(bus);
  t.truthy(sensor.sample());
  emulator.frozen = true;
  bus.advance(10_001);
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['scd4x: no new measurement: get_data_ready_status says not ready']);
});

test('a sample every minute always reads a new measurement, never a cached one', (t) => {
  const { bus, emulator, sensor, errors } = setup();
  untilMeasured(bus);
  const seen: number[] = [];
  for (let i = 0; i < 3; i++) {
    emulator.co2 = 600 + i;
    seen.push(sensor.sample()!.carbonDioxide!.co2);
    bus.advance(60_000);
  }
  t.deepEqual(seen, [600, 601, 602]);
  t.deepEqual(errors, []);
});

test('a missing sensor (NACK) is reported at construction and at each sample, and sample() returns nothing', (t) => {
  const { sensor, errors } = setup({}, { attach: false });
  t.regex(errors[0]!, /^scd4x: cannot start: stop_periodic_measurement: no ACK from 0x62 \(sensor missing or bus stuck\)/);
  t.is(sensor.sample(), undefined);
  t.is(errors.length, 2);
  t.regex(errors[1]!, /^scd4x: cannot start:/);
});

test('a sensor connected after boot is started by the next sample()', (t) => {
  const { bus, emulator, sensor } = setup({}, { attach: false });
  bus.attach(SCD4X_ADDRESS, emulator);
  t.is(sensor.sample(), undefined); // started now; first measurement 5 s later
  t.is(emulator.mode, 'periodic');
  untilMeasured(bus);
  t.truthy(sensor.sample()?.carbonDioxide);
});

test('a bus failure during sampling is reported and the next sample() restarts the sensor', (t) => {
  const { bus, emulator, sensor, errors } = setup();
  untilMeasured(bus);
  bus.fault = 'nack';
  t.is(sensor.sample(), undefined);
  t.regex(errors[0]!, /^scd4x: get_data_ready_status: no ACK from 0x62/);
  bus.fault = undefined;
  const before = emulator.commands.length;
  sensor.sample();
  t.deepEqual(emulator.commandCodes.slice(before, before + 5), [C.WAKE_UP, C.STOP_PERIODIC_MEASUREMENT, C.REINIT, C.GET_SERIAL_NUMBER, C.START_PERIODIC_MEASUREMENT]);
});

test('a bus stuck low (every byte 0x00) is reported as a CRC failure naming the stuck bus', (t) => {
  const { bus, sensor, errors } = setup();
  untilMeasured(bus);
  bus.fault = 'stuck-low';
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['scd4x: get_data_ready_status: CRC mismatch in word 0 of 000000 (every byte 0x00: bus stuck low?)']);
});

test('a bus stuck high (every byte 0xFF) is reported as a CRC failure naming the stuck bus', (t) => {
  const { bus, sensor, errors } = setup();
  untilMeasured(bus);
  bus.fault = 'stuck-high';
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['scd4x: get_data_ready_status: CRC mismatch in word 0 of ffffff (every byte 0xff: bus stuck high?)']);
});

test('a bad CRC in read_measurement is reported and every field is left out', (t) => {
  const { bus, emulator, sensor, errors } = setup();
  untilMeasured(bus);
  const original = emulator.write.bind(emulator);
  emulator.write = (bytes, now) => {
    original(bytes, now);
    if (((bytes[0]! << 8) | bytes[1]!) === C.READ_MEASUREMENT) emulator.corruptReads = 1;
  };
  t.is(sensor.sample(), undefined);
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^scd4x: read_measurement: CRC mismatch in word 0 of /);
});

test('a 0 ppm CO2 reading is reported and left out while temperature and humidity are kept', (t) => {
  const { bus, emulator, sensor, errors } = setup();
  emulator.co2Zero = true;
  untilMeasured(bus);
  const result = sensor.sample()!;
  t.is(result.carbonDioxide, undefined);
  t.truthy(result.thermometer);
  t.truthy(result.hygrometer);
  t.deepEqual(errors, ['scd4x: read_measurement gave 0 ppm CO2, an invalid sample; CO2 left out']);
});

test("configure({ambientPressure}) writes the datasheet's set_ambient_pressure bytes without stopping measurement", (t) => {
  const v = vector('set_ambient_pressure');
  const { bus, emulator, sensor, errors } = setup();
  const before = emulator.commands.length;
  sensor.configure({ ambientPressure: v.ambientPressure! });
  t.deepEqual(errors, []);
  t.deepEqual(emulator.commandCodes.slice(before), [C.SET_AMBIENT_PRESSURE]);
  t.is(toHex(bus.writesTo(SCD4X_ADDRESS).at(-1)!), v.write!);
  t.is(emulator.mode, 'periodic');
});

test("configure({altitude}) stops, writes the datasheet's set_sensor_altitude bytes, reads them back and restarts", (t) => {
  const v = vector('set_sensor_altitude');
  const { bus, emulator, sensor, errors } = setup();
  const before = emulator.commands.length;
  sensor.configure({ altitude: v.altitude! });
  t.deepEqual(errors, []);
  t.deepEqual(emulator.commandCodes.slice(before), [C.STOP_PERIODIC_MEASUREMENT, C.SET_SENSOR_ALTITUDE, C.GET_SENSOR_ALTITUDE, C.START_PERIODIC_MEASUREMENT]);
  t.true(bus.writesTo(SCD4X_ADDRESS).some((w) => toHex(w) === v.write));
  t.is(emulator.altitude, v.altitude!);
  t.is(emulator.mode, 'periodic');
});

test('an altitude that does not read back as written is reported', (t) => {
  const { emulator, sensor, errors } = setup();
  const original = emulator.write.bind(emulator);
  emulator.write = (bytes, now) => {
    original(bytes, now);
    if (((bytes[0]! << 8) | bytes[1]!) === C.SET_SENSOR_ALTITUDE) emulator.altitude = 0; // the write did not stick
  };
  sensor.configure({ altitude: 420 });
  t.deepEqual(errors, ['scd4x: sensor altitude reads back as 0 m, not the 420 m written']);
});

test('configure({temperatureOffset}) writes offset * 2^16 / 175 in idle mode (datasheet: 5.4 °C is 0x07e6)', (t) => {
  const { emulator, sensor, errors } = setup();
  sensor.configure({ temperatureOffset: 5.4 });
  t.deepEqual(errors, []);
  t.is(emulator.temperatureOffsetWord, 0x07e6);
  t.is(emulator.mode, 'periodic');
});

test('compensation given to the constructor is applied at start-up, before measuring starts', (t) => {
  const { emulator, errors } = setup({ altitude: 1950, ambientPressure: 98_700 });
  t.deepEqual(errors, []);
  t.deepEqual(emulator.commandCodes.slice(3), [C.GET_SERIAL_NUMBER, C.SET_SENSOR_ALTITUDE, C.GET_SENSOR_ALTITUDE, C.START_PERIODIC_MEASUREMENT, C.SET_AMBIENT_PRESSURE]);
  t.is(emulator.altitude, 1950);
  t.is(emulator.ambientPressureWord, 987);
});

test('compensation is re-applied when the driver restarts the sensor after a failure', (t) => {
  const { bus, emulator, sensor } = setup({ altitude: 300 });
  bus.fault = 'nack';
  sensor.sample();
  bus.fault = undefined;
  emulator.altitude = 0; // power cycle lost the volatile setting
  sensor.sample();
  t.is(emulator.altitude, 300);
});

test('configure() rejects out-of-range values with a RangeError naming the option', (t) => {
  const { sensor } = setup();
  t.throws(() => sensor.configure({ altitude: 3001 }), { instanceOf: RangeError, message: /options\.altitude/ });
  t.throws(() => sensor.configure({ ambientPressure: 101.3 }), { instanceOf: RangeError, message: /options\.ambientPressure/ });
  t.throws(() => sensor.configure({ temperatureOffset: -1 }), { instanceOf: RangeError, message: /options\.temperatureOffset/ });
});

test('a configure() that fails on the bus is reported, not thrown', (t) => {
  const { bus, sensor, errors } = setup();
  bus.fault = 'nack';
  t.notThrows(() => sensor.configure({ altitude: 100 }));
  t.regex(errors[0]!, /^scd4x: configure failed: stop_periodic_measurement: no ACK/);
});

test('close() stops periodic measurement and closes the io', (t) => {
  const { bus, emulator, sensor } = setup();
  sensor.close();
  t.is(emulator.commandCodes.at(-1), C.STOP_PERIODIC_MEASUREMENT);
  t.is(emulator.mode, 'idle');
  t.deepEqual(bus.open, []);
});

test('sample() after close() reports that the driver is not open', (t) => {
  const { sensor, errors } = setup();
  sensor.close();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['scd4x: not open']);
});

test('an onError handler that throws does not escape sample()', (t) => {
  const bus = new EmulatedI2CBus();
  const sensor = new SCD4x({
    sensor: { io: bus.io },
    onError: () => {
      throw new Error('handler bug');
    },
    now: () => bus.now,
    delay: bus.delay,
  });
  t.notThrows(() => sensor.sample());
});

test('a malformed options.sensor throws a TypeError naming it', (t) => {
  t.throws(() => new SCD4x({ sensor: {} } as unknown as Scd4xOptions), { instanceOf: TypeError, message: /options\.sensor\.io/ });
});
