import test from 'ava';
import fc from 'fast-check';
import { PMS5003, pms5003Command, type Pms5003Options } from '../../../../hosts/esp32/drivers/pms5003.js';
import { FIELDS, Sampler, type SensorError } from '../../../../src/core/sampler.js';
import { loadVectors } from '../../../helpers/vectors.js';
import { DEFAULT_PMS5003_VALUES, Pms5003Emulator, pms5003Frame } from '../emulators/pms5003-emulator.js';

interface Vector {
  name: string;
  kind: 'data' | 'command';
  frame?: string;
  cf1?: { pm1: number; pm2_5: number; pm10: number };
  atmospheric?: { pm1: number; pm2_5: number; pm10: number };
  command?: string;
  data?: number;
  bytes?: string;
  answer?: string;
}

const { vectors } = loadVectors<Vector>('pms5003-frames.json');
const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const command = (name: string) => vectors.find((v) => v.name.startsWith(name))!;

/** Driver and emulator on one UART, clock at 0, warm-up off unless a test asks for it. */
function setup(options: Partial<Pms5003Options> = {}) {
  const emulator = new Pms5003Emulator();
  const clock = { ms: 0 };
  const errors: string[] = [];
  const sensor = new PMS5003({
    sensor: { io: emulator.port.Io, port: 2, receive: 16, transmit: 17 },
    onError: (message) => errors.push(message),
    now: () => clock.ms,
    warmUp: 0,
    ...options,
  });
  return { emulator, port: emulator.port, sensor, errors, clock };
}

for (const v of vectors.filter((v) => v.kind === 'data')) {
  test(`frame decodes to its atmospheric values: ${v.name}`, (t) => {
    const { port, sensor, errors } = setup();
    port.send(fromHex(v.frame!));
    t.deepEqual(sensor.sample(), { particulateMatter: v.atmospheric });
    t.deepEqual(errors, []);
  });
}

for (const v of vectors.filter((v) => v.kind === 'command')) {
  test(`command bytes match the recorded host protocol: ${v.name}`, (t) => {
    t.is(Buffer.from(pms5003Command(Number.parseInt(v.command!, 16), v.data!)).toString('hex'), v.bytes!);
  });
}

test('the emulator builds the same frame as the captured one, so emulated frames follow the manual', (t) => {
  const v = vectors.find((v) => v.kind === 'data' && !('synthetic' in v))!;
  const frame = pms5003Frame({ cf1: v.cf1!, atmospheric: v.atmospheric!, counts: [210, 70, 45, 30, 0, 0], reserved: 0x9700 });
  t.is(Buffer.from(frame).toString('hex'), v.frame!);
});

test('the atmospheric-environment values (data 4..6) are reported, not the CF=1 ones (data 1..3)', (t) => {
  const { port, sensor } = setup();
  port.send(pms5003Frame({ ...DEFAULT_PMS5003_VALUES, cf1: { pm1: 48, pm2_5: 75, pm10: 90 }, atmospheric: { pm1: 32, pm2_5: 50, pm10: 60 } }));
  t.deepEqual(sensor.sample(), { particulateMatter: { pm1: 32, pm2_5: 50, pm10: 60 } });
});

test('the UART is opened at 9600 baud in buffer format with the host pins', (t) => {
  const { port } = setup();
  t.like(port.opened[0], { baud: 9600, format: 'buffer', port: 2, receive: 16, transmit: 17 });
});

test('through the Sampler, the sample maps to pm1, pm2_5 and pm10 in ug/m3', (t) => {
  const { emulator, sensor } = setup();
  emulator.tick();
  const errors: SensorError[] = [];
  const sampler = new Sampler([{ name: 'pms5003@uart2', sensor, fields: [FIELDS.pm1, FIELDS.pm2_5, FIELDS.pm10] }], (e) => errors.push(e));
  t.deepEqual(sampler.sample(), [
    { quantity: 'pm1', value: 11, unit: 'ug/m3' },
    { quantity: 'pm2_5', value: 17, unit: 'ug/m3' },
    { quantity: 'pm10', value: 21, unit: 'ug/m3' },
  ]);
  t.deepEqual(errors, []);
});

test('sample() returns the latest valid frame', (t) => {
  const { emulator, sensor } = setup();
  emulator.tick();
  emulator.values = { ...DEFAULT_PMS5003_VALUES, atmospheric: { pm1: 1, pm2_5: 2, pm10: 3 } };
  emulator.tick();
  t.deepEqual(sensor.sample(), { particulateMatter: { pm1: 1, pm2_5: 2, pm10: 3 } });
});

test('a frame split across several reads is reassembled', (t) => {
  const { port, sensor, errors } = setup();
  port.sendInPieces(pms5003Frame(), [1, 1, 5, 13, 11]);
  t.deepEqual(sensor.sample(), { particulateMatter: DEFAULT_PMS5003_VALUES.atmospheric });
  t.deepEqual(errors, []);
});

test('garbage before a frame is skipped and reported, and the frame is still read', (t) => {
  const { port, sensor, errors } = setup();
  port.send(Uint8Array.of(0x00, 0x13, 0x42, 0x99, 0x4d, ...pms5003Frame()));
  t.deepEqual(errors, ['pms5003: skipped 5 bytes that do not start a frame (noise, or a frame cut short)']);
  t.deepEqual(sensor.sample(), { particulateMatter: DEFAULT_PMS5003_VALUES.atmospheric });
});

test('a start sequence with an impossible frame length is skipped and the real frame behind it is read', (t) => {
  const { port, sensor } = setup();
  port.send(Uint8Array.of(0x42, 0x4d, 0x00, 0x99, ...pms5003Frame()));
  t.deepEqual(sensor.sample(), { particulateMatter: DEFAULT_PMS5003_VALUES.atmospheric });
});

test('a frame cut short (bytes lost) costs at most that frame and the next; later frames are read', (t) => {
  const { port, sensor } = setup();
  const frame = pms5003Frame();
  port.send(Uint8Array.of(...frame.subarray(0, 20), ...frame.subarray(21), ...pms5003Frame(), ...pms5003Frame()));
  t.deepEqual(sensor.sample(), { particulateMatter: DEFAULT_PMS5003_VALUES.atmospheric });
});

test('a frame with a bad checksum is discarded and reported; the last valid frame stays', (t) => {
  const { port, sensor, errors } = setup();
  port.send(pms5003Frame());
  const bad = pms5003Frame({ ...DEFAULT_PMS5003_VALUES, atmospheric: { pm1: 900, pm2_5: 900, pm10: 900 } });
  bad[31]! ^= 0x01;
  port.send(bad);
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^pms5003: bad checksum: frame 424d001c/);
  t.deepEqual(sensor.sample(), { particulateMatter: DEFAULT_PMS5003_VALUES.atmospheric });
});

test('no frame ever received: sample() reports no data and returns nothing', (t) => {
  const { sensor, errors } = setup();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: no data: no valid frame received yet']);
});

test('a silent sensor is reported once the last valid frame is older than maxAge', (t) => {
  const { emulator, sensor, errors, clock } = setup({ maxAge: 10_000 });
  emulator.tick();
  clock.ms = 10_001;
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: no data: last valid frame is 10 s old (sensor silent or disconnected)']);
});

test('a frame exactly maxAge old is still used', (t) => {
  const { emulator, sensor, clock } = setup({ maxAge: 10_000 });
  emulator.tick();
  clock.ms = 10_000;
  t.truthy(sensor.sample());
});

test('a line stuck low (every byte 0x00) is reported as skipped bytes and gives no data', (t) => {
  const { port, sensor, errors } = setup();
  port.send(new Uint8Array(64));
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: skipped 64 bytes that do not start a frame (noise, or a frame cut short)', 'pms5003: no data: no valid frame received yet']);
});

test('a line stuck high (every byte 0xFF) is reported as skipped bytes and gives no data', (t) => {
  const { port, sensor, errors } = setup();
  port.send(new Uint8Array(64).fill(0xff));
  t.is(sensor.sample(), undefined);
  t.is(errors[0], 'pms5003: skipped 64 bytes that do not start a frame (noise, or a frame cut short)');
});

test('frames during the 30 s warm-up after power-up are not used', (t) => {
  const { emulator, sensor, errors, clock } = setup({ warmUp: undefined });
  clock.ms = 29_999;
  emulator.tick();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: warming up: data is stable 30 s after wake-up']);
  clock.ms = 30_000;
  emulator.tick();
  t.truthy(sensor.sample());
});

test("configure({mode: 'passive'}) sends E1 00, and the sensor's answer is accepted silently", (t) => {
  const { emulator, port, sensor, errors } = setup();
  sensor.configure({ mode: 'passive' });
  t.is(port.writtenHex[0], command('change to passive').bytes!);
  emulator.deliver();
  t.is(emulator.mode, 'passive');
  t.deepEqual(errors, []);
});

test('in passive mode, sample() returns the answer to the previous request and sends the next E2 request', (t) => {
  const { emulator, port, sensor, errors, clock } = setup({ mode: 'passive' });
  emulator.deliver(); // mode answer and the answer to the first request
  clock.ms = 60_000;
  t.deepEqual(sensor.sample(), { particulateMatter: DEFAULT_PMS5003_VALUES.atmospheric });
  t.is(port.writtenHex.at(-1), command('passive read').bytes!);
  t.deepEqual(errors, []);
});

test('in passive mode, an unanswered request is reported and the older frame is not reused', (t) => {
  const { emulator, port, sensor, errors, clock } = setup({ mode: 'passive' });
  emulator.deliver();
  clock.ms = 60_000;
  port.dropTx = true; // the request sent by this sample() never reaches the sensor
  t.truthy(sensor.sample());
  clock.ms = 120_000;
  emulator.deliver();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: no data: no answer to the passive read request']);
});

test("configure({mode: 'active'}) sends E1 01", (t) => {
  const { port, sensor } = setup();
  sensor.configure({ mode: 'active' });
  t.is(port.writtenHex.at(-1), command('change to active').bytes!);
});

test('configure({sleep: true}) sends E4 00; while asleep sample() reports it and returns nothing', (t) => {
  const { emulator, port, sensor, errors } = setup();
  emulator.tick();
  sensor.configure({ sleep: true });
  emulator.deliver();
  t.is(port.writtenHex.at(-1), command('sleep').bytes!);
  t.true(emulator.asleep);
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: asleep (configure({sleep: false}) wakes it)']);
});

test('configure({sleep: false}) sends E4 01 and data is used again only after the warm-up', (t) => {
  const { emulator, port, sensor, errors, clock } = setup({ warmUp: 30_000 });
  clock.ms = 40_000;
  sensor.configure({ sleep: true });
  emulator.deliver();
  clock.ms = 100_000;
  sensor.configure({ sleep: false });
  t.is(port.writtenHex.at(-1), command('wake-up').bytes!);
  emulator.tick();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: warming up: data is stable 30 s after wake-up']);
  clock.ms = 130_000;
  emulator.tick();
  t.truthy(sensor.sample());
});

test('a mode command the sensor never answers is reported at the next sample()', (t) => {
  const { emulator, port, sensor, errors, clock } = setup();
  port.dropTx = true;
  sensor.configure({ mode: 'active' });
  emulator.tick();
  clock.ms = 2_001;
  emulator.tick();
  sensor.sample();
  t.deepEqual(errors, ['pms5003: command 0xe1 1 was not acknowledged (TX line not connected?)']);
});

test('a write the UART refuses is reported, not thrown', (t) => {
  const { port, sensor, errors } = setup();
  port.writeFault = 'Serial: output buffer full';
  t.notThrows(() => sensor.configure({ sleep: true }));
  t.deepEqual(errors, ['pms5003: cannot send command 0xe4: Serial: output buffer full']);
});

test('configure() rejects a bad mode with a RangeError naming the option', (t) => {
  const { sensor } = setup();
  t.throws(() => sensor.configure({ mode: 'turbo' as 'active' }), { instanceOf: RangeError, message: /options\.mode/ });
});

test('close() closes the io; bytes arriving later are ignored and sample() reports it is not open', (t) => {
  const { emulator, port, sensor, errors } = setup();
  sensor.close();
  t.true(port.closed);
  emulator.tick();
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: not open']);
});

test('a port that cannot be opened is reported, and sample() returns nothing', (t) => {
  const errors: string[] = [];
  const sensor = new PMS5003({
    sensor: {
      io: class {
        constructor() {
          throw new Error('Serial: port 2 busy');
        }
      } as unknown as Pms5003Options['sensor']['io'],
    },
    onError: (m) => errors.push(m),
  });
  t.is(sensor.sample(), undefined);
  t.deepEqual(errors, ['pms5003: cannot open the serial port: Serial: port 2 busy', 'pms5003: not open']);
});

test('any split of garbage-free traffic yields the last frame (property)', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 3 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 12 }),
      ([pm1, pm2_5, pm10], cuts) => {
        const { port, sensor } = setup();
        const last = pms5003Frame({ ...DEFAULT_PMS5003_VALUES, atmospheric: { pm1: pm1!, pm2_5: pm2_5!, pm10: pm10! } });
        port.sendInPieces(Uint8Array.of(...pms5003Frame(), ...last), cuts);
        const sample = sensor.sample();
        return sample?.particulateMatter.pm1 === pm1 && sample?.particulateMatter.pm2_5 === pm2_5 && sample?.particulateMatter.pm10 === pm10;
      },
    ),
  );
  t.pass();
});

test('garbage without a start byte before a frame never hides the frame (property)', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }).map((g) => g.filter((b) => b !== 0x42)), fc.integer({ min: 1, max: 64 }), (garbage, piece) => {
      const { port, sensor } = setup();
      const bytes = Uint8Array.of(...garbage, ...pms5003Frame());
      port.sendInPieces(bytes, Array.from({ length: Math.ceil(bytes.length / piece) }, () => piece));
      return sensor.sample()?.particulateMatter.pm2_5 === DEFAULT_PMS5003_VALUES.atmospheric.pm2_5;
    }),
  );
  t.pass();
});

test('arbitrary bytes never make the driver throw, and any sample carries values a valid frame held (property)', (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 10 }), (chunks) => {
      const { port, sensor } = setup();
      for (const chunk of chunks) port.send(chunk);
      const sample = sensor.sample();
      if (sample === undefined) return true;
      // A random 32-byte frame can pass the 16-bit sum; its values are whatever it carries, never NaN or negative.
      return Object.values(sample.particulateMatter).every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffff);
    }),
  );
  t.pass();
});
