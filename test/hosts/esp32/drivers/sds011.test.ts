import test from 'ava';
import fc from 'fast-check';
import { SDS011, sds011Command, type Sds011Options } from '../../../../hosts/esp32/drivers/sds011.js';
import { FIELDS, Sampler, type SensorError } from '../../../../src/core/sampler.js';
import { loadVectors } from '../../../helpers/vectors.js';
import { Sds011Emulator, sds011Frame, sds011Reply } from '../emulators/sds011-emulator.js';

interface Vector {
  name: string;
  kind: 'data' | 'command';
  frame?: string;
  pm2_5?: number;
  pm10?: number;
  data?: number[];
  deviceId?: number;
  bytes?: string;
  answer?: string;
}

const { vectors } = loadVectors<Vector>('sds011-frames.json');
const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function setup(options: Partial<Sds011Options> = {}) {
  const emulator = new Sds011Emulator();
  const clock = { ms: 0 };
  const errors: string[] = [];
  const sensor = new SDS011({
    sensor: { io: emulator.port.Io, port: 1, receive: 9, transmit: 10 },
    onError: (message) => errors.push(message),
    now: () => clock.ms,
    warmUp: 0,
    ...options,
  });
  return { emulator, port: emulator.port, sensor, errors, clock };
}

for (const v of vectors.filter((v) => v.kind === 'data')) {
  test(`frame decodes to value / 10 ug/m3: ${v.name}`, (t) => {
    const { port, sensor, errors } = setup();
    port.send(fromHex(v.frame!));
    t.deepEqual(sensor.sample(), { particulateMatter: { pm2_5: v.pm2_5!, pm10: v.pm10! } });
    t.deepEqual(errors, []);
  });
}

for (const v of vectors.filter((v) => v.kind === 'command')) {
  test(`command bytes match the protocol's example: ${v.name}`, (t) => {
    t.is(hexOf(sds011Command(v.data!, v.deviceId!)), v.bytes!);
  });
}

test("the emulator's data frame and replies match the protocol's examples", (t) => {
  t.is(hexOf(sds011Frame(123.6, 261.8)), vectors[0]!.frame!);
  const sleep = vectors.find((v) => v.name === 'set sleep, device A160')!;
  t.is(hexOf(sds011Reply(6, 1, 0)), sleep.answer!);
});

test('the UART is opened at 9600 baud in buffer format with the host pins', (t) => {
  const { port } = setup();
  t.like(port.opened[0], { baud: 9600, format: 'buffer', port: 1, receive: 9, transmit: 10 });
});

test('through the Sampler, the sample maps to pm2_5 and pm10 in ug/m3', (t) => {
  const { emulator, sensor } = setup();
  emulator.tick();
  const errors: SensorError[] = [];
  const sampler = new Sampler([{ name: 'sds011@uart1', sensor, fields: [FIELDS.pm2_5, FIELDS.pm10] }], (e) => errors.push(e));
  t.deepEqual(sampler.sample(), [
    { quantity: 'pm2_5', value: 12.3, unit: 'ug/m3' },
    { quantity: 'pm10', value: 40.7, unit: 'ug/m3' },
  ]);
  t.deepEqual(errors, []);
});

test('a frame split across several reads is reassembled', (t) => {
  const { port, sensor, errors } = setup();
  port.sendInPieces(sds011Frame(55.5, 66.6), [1, 2, 3]);
  t.deepEqual(sensor.sample(), { particulateMatter: { pm2_5: 55.5, pm10: 66.6 } });
  t.deepEqual(errors, []);
});

test('garbage before a frame is skipped and reported, and the frame is still read', (t) => {
  const { port, sensor, errors } = setup();
  port.send(Uint8Array.of(0x01, 0xaa, 0x02, 0xab, ...sds011Frame(1, 2)));
  t.deepEqual(errors, ['sds011: skipped 4 bytes that do not start a frame (noise, or a frame cut short)']);
  t.deepEqual(sensor.sample(), { particulateMatter: { pm2_5: 1, pm10: 2 } });
});

test('a frame with a bad checksum is discarded and reported; the last valid frame stays', (t) => {
  const { port, sensor, errors } = setup();
  port.send(sds011Frame(10, 20));
  const bad = sds011Frame(999, 999);
  bad[8]! ^= 0x01;
  port.send(bad);
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^sds011: bad checksum: frame aac0/);
  t.deepEqual(sensor.sample(), { particulateMatter: { pm2_5: 10, pm10: 20 } });
});

test('a frame that does not end in 0xAB is discarded and reported', (t) => {
  const { port, sensor, errors } = setup();
  const bad = sds011Frame(10, 20);
  bad[9] = 0x00;
  port.send(bad);
  t.deepEqual(errors, ['sds011: bad frame: aac06400c800a1602d00 does not end in 0xab']);
  t.is(sensor.sample(), undefined);
});

test('a silent sensor is reported once the last valid frame is older than maxAge', (t) => {
  const { emulator, sensor, errors, clock } = setup();
  emulator.tick();
  clock.ms = 10_001;
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['sds011: no data: last valid frame is 10 s old (sensor silent or disconnected)']);
});

test('a line stuck low (every byte 0x00) is reported as skipped bytes and gives no data', (t) => {
  const { port, sensor, errors } = setup();
  port.send(new Uint8Array(40));
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['sds011: skipped 40 bytes that do not start a frame (noise, or a frame cut short)', 'sds011: no data: no valid frame received yet']);
});

test('frames during the 30 s warm-up are not used', (t) => {
  const { emulator, sensor, errors, clock } = setup({ warmUp: undefined });
  clock.ms = 10_000;
  emulator.tick();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['sds011: warming up: the fan runs 30 s before data is used']);
});

test("configure({reportingMode: 'query'}) sends the set-mode command; the sensor's reply is accepted silently", (t) => {
  const { emulator, port, sensor, errors } = setup();
  sensor.configure({ reportingMode: 'query' });
  t.is(port.writtenHex[0], hexOf(sds011Command([2, 1, 1])));
  emulator.deliver();
  t.is(emulator.reportingMode, 'query');
  t.deepEqual(errors, []);
});

test('in query mode, sample() returns the answer to the previous query and sends the next one', (t) => {
  const { emulator, port, sensor, errors, clock } = setup({ reportingMode: 'query' });
  emulator.deliver();
  clock.ms = 60_000;
  t.deepEqual(sensor.sample(), { particulateMatter: { pm2_5: 12.3, pm10: 40.7 } });
  t.is(port.writtenHex.at(-1), 'aab404000000000000000000000000ffff02ab');
  t.deepEqual(errors, []);
});

test('in query mode, an unanswered query is reported and the older frame is not reused', (t) => {
  const { emulator, port, sensor, errors, clock } = setup({ reportingMode: 'query' });
  emulator.deliver();
  clock.ms = 60_000;
  port.dropTx = true;
  t.truthy(sensor.sample());
  clock.ms = 120_000;
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['sds011: no data: no answer to the query']);
});

test('configure({workPeriod: 5}) sends the working-period command and stretches staleness to the period', (t) => {
  const { emulator, port, sensor, errors, clock } = setup();
  sensor.configure({ workPeriod: 5 });
  t.is(port.writtenHex.at(-1), hexOf(sds011Command([8, 1, 5])));
  emulator.deliver();
  t.is(emulator.workPeriod, 5);
  emulator.tick();
  clock.ms = 5 * 60_000;
  t.truthy(sensor.sample());
  clock.ms = 5 * 60_000 + 10_001;
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['sds011: no data: last valid frame is 310 s old (sensor silent or disconnected)']);
});

test('configure({sleep: true}) sends set-sleep; while asleep sample() reports it and returns nothing', (t) => {
  const { emulator, port, sensor, errors } = setup();
  sensor.configure({ sleep: true });
  emulator.deliver();
  t.is(port.writtenHex.at(-1), hexOf(sds011Command([6, 1, 0])));
  t.true(emulator.asleep);
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['sds011: asleep (configure({sleep: false}) wakes it)']);
});

test('configure({sleep: false}) sends set-work and data is used again after the warm-up', (t) => {
  const { emulator, port, sensor, clock } = setup({ warmUp: 30_000 });
  sensor.configure({ sleep: true });
  emulator.deliver();
  clock.ms = 100_000;
  sensor.configure({ sleep: false });
  emulator.deliver();
  t.is(port.writtenHex.at(-1), hexOf(sds011Command([6, 1, 1])));
  t.false(emulator.asleep);
  clock.ms = 130_000;
  emulator.tick();
  t.truthy(sensor.sample());
});

test('a command the sensor never answers is reported at the next sample()', (t) => {
  const { emulator, port, sensor, errors, clock } = setup();
  port.dropTx = true;
  sensor.configure({ workPeriod: 1 });
  emulator.tick();
  clock.ms = 2_001;
  sensor.sample();
  t.deepEqual(errors, ['sds011: command 0x8 1 was not acknowledged (TX line not connected?)']);
});

test('configure() rejects a working period outside 0..30 minutes with a RangeError naming the option', (t) => {
  const { sensor } = setup();
  t.throws(() => sensor.configure({ workPeriod: 31 }), { instanceOf: RangeError, message: /options\.workPeriod/ });
  t.throws(() => sensor.configure({ workPeriod: 1.5 }), { instanceOf: RangeError, message: /options\.workPeriod/ });
});

test('a write the UART refuses is reported, not thrown', (t) => {
  const { port, sensor, errors } = setup();
  port.writeFault = 'Serial: output buffer full';
  t.notThrows(() => sensor.configure({ reportingMode: 'query' }));
  t.regex(errors[0]!, /^sds011: cannot send command 0x2: Serial: output buffer full/);
});

test('close() closes the io; bytes arriving later are ignored', (t) => {
  const { emulator, port, sensor, errors } = setup();
  sensor.close();
  t.true(port.closed);
  emulator.tick();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['sds011: not open']);
});

test('any split of traffic with garbage free of 0xAA yields the last frame (property)', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 100 }).map((g) => g.filter((b) => b !== 0xaa)),
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 9999 }),
      fc.array(fc.integer({ min: 1, max: 15 }), { maxLength: 12 }),
      (garbage, a, b, cuts) => {
        const { port, sensor } = setup();
        port.sendInPieces(Uint8Array.of(...garbage, ...sds011Frame(a / 10, b / 10)), cuts);
        const sample = sensor.sample();
        return sample?.particulateMatter.pm2_5 === a / 10 && sample?.particulateMatter.pm10 === b / 10;
      },
    ),
  );
  t.pass();
});

test('arbitrary bytes never make the driver throw (property)', (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), (chunks) => {
      const { port, sensor } = setup();
      for (const chunk of chunks) port.send(chunk);
      const sample = sensor.sample();
      return sample === undefined || (sample.particulateMatter.pm2_5 >= 0 && sample.particulateMatter.pm10 <= 6553.5);
    }),
  );
  t.pass();
});
