import test from 'ava';
import { decodeSign1, verifySign1 } from '../../src/core/cose-sign1.js';
import { FieldNode } from '../../src/core/field-node.js';
import { silentLog, type Log } from '../../src/core/host.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { MemoryOutbox } from '../../src/core/outbox.js';
import { decodeReading, type ReadingV1 } from '../../src/core/reading.js';
import { FIELDS, Sampler } from '../../src/core/sampler.js';
import { SequenceAllocator } from '../../src/core/sequence.js';
import { createNobleSigner, nobleVerify } from '../../src/core/signer.js';
import { decodeStatus } from '../../src/core/status.js';
import { FakeTransport, ManualClock, ManualTimer, settle } from '../helpers/fake-host.js';

function setup(options: { capacity?: number; intervalMs?: number; log?: Log; sample?: () => Record<string, unknown> | undefined } = {}) {
  const clock = new ManualClock();
  const timer = new ManualTimer(clock);
  const transport = new FakeTransport();
  const signer = createNobleSigner(new Uint8Array(32).fill(7));
  const storage = new MemoryStorage();
  const outbox = new MemoryOutbox(options.capacity ?? 100);
  const sensorErrors: string[] = [];
  let temperature = 20;
  const sampler = new Sampler(
    [
      {
        name: 'test-sensor',
        sensor: { sample: options.sample ?? (() => ({ thermometer: { temperature: (temperature += 0.5) }, hygrometer: { humidity: 50 } })) },
        fields: [FIELDS.thermometer, FIELDS.hygrometer],
      },
    ],
    (e) => sensorErrors.push(e.message),
  );
  const node = new FieldNode(
    { clock, timer, signer, sequence: new SequenceAllocator(storage, { fresh: true }), outbox, transport, sampler, log: options.log ?? silentLog },
    { intervalMs: options.intervalMs ?? 60_000, firmwareBuild: new Uint8Array([1, 2, 3, 4]), firmwareVersion: 'test-1' },
  );
  const readings = () =>
    transport.published
      .filter((p) => p.topic === node.topics.readings)
      .map((p) => {
        const env = decodeSign1(p.payload);
        if (!env.ok) throw new Error(env.detail);
        if (!verifySign1(env.parts, signer.publicKey, nobleVerify)) throw new Error('bad signature');
        const r = decodeReading(env.parts.payload);
        if (!r.ok) throw new Error(r.detail);
        return r.reading;
      });
  return { clock, timer, transport, node, outbox, storage, signer, sensorErrors, readings };
}

test('signs nothing until the clock is synced', async (t) => {
  const { clock, timer, transport, node, readings } = setup();
  clock.isSynced = false;
  transport.connect();
  node.start();
  timer.advance(10 * 60_000);
  await settle();
  t.is(readings().length, 0);
  t.true(node.stats.skippedUnsynced > 0);
  clock.isSynced = true;
  timer.advance(3 * 60_000);
  await settle();
  t.true(readings().length >= 2);
});

test('samples once per interval and publishes QoS 1 readings with increasing sequence numbers', async (t) => {
  const { timer, transport, node, readings } = setup();
  transport.connect();
  node.start();
  timer.advance(10 * 60_000 + 1);
  await settle();
  const rs = readings();
  t.true(rs.length === 10 || rs.length === 11, `${rs.length} readings`);
  t.deepEqual(
    rs.map((r) => r.seq),
    rs.map((_, i) => i),
  );
  t.true(transport.published.filter((p) => p.topic === node.topics.readings).every((p) => p.options.qos === 1 && !p.options.retain));
  for (let i = 1; i < rs.length; i++) t.is(rs[i]!.time - rs[i - 1]!.time, 60);
});

test('keeps readings in the outbox while offline and delivers them in order, flagged as backfilled', async (t) => {
  const { timer, transport, node, outbox, readings } = setup();
  node.start();
  timer.advance(5 * 60_000);
  await settle();
  t.is(readings().length, 0);
  t.is(outbox.depth, 5);
  transport.connect();
  await settle();
  const rs = readings();
  t.deepEqual(rs.map((r) => r.seq), [0, 1, 2, 3, 4]);
  t.true(rs.every((r) => r.flags.backfilled));
  t.is(outbox.depth, 0);
  timer.advance(60_000);
  await settle();
  t.false(readings()[5]!.flags.backfilled);
});

test('drops a reading from the outbox only when its publish is acknowledged', async (t) => {
  const { timer, transport, node, outbox } = setup();
  transport.autoAck = false;
  transport.connect();
  node.start();
  timer.advance(3 * 60_000);
  await settle();
  t.is(outbox.depth, 3);
  t.true(transport.inFlight >= 1);
  transport.disconnect(); // publishes fail: nothing is removed
  await settle();
  t.is(outbox.depth, 3);
  transport.autoAck = true;
  transport.connect();
  await settle();
  t.is(outbox.depth, 0);
});

test('when the outbox is full it drops the oldest and reports the count in the status', async (t) => {
  const warnings: string[] = [];
  const { timer, transport, node, outbox } = setup({ capacity: 3, log: { ...silentLog, warn: (m) => warnings.push(m) } });
  node.start();
  timer.advance(5 * 60_000);
  await settle();
  t.is(outbox.depth, 3);
  t.is(outbox.dropped, 2);
  t.true(warnings.some((w) => /outbox full/.test(w)));
  transport.connect();
  await settle();
  const statusMsg = transport.published.find((p) => p.topic === node.topics.status)!;
  const env = decodeSign1(statusMsg.payload);
  const status = env.ok ? decodeStatus(env.parts.payload) : undefined;
  t.true(status?.ok && status.status.outboxDropped === 2);
  t.true(statusMsg.options.retain);
});

test('signs maintenance mode into the flags', async (t) => {
  const { timer, transport, node, readings } = setup();
  transport.connect();
  node.start();
  node.setMaintenance(true);
  timer.advance(60_000);
  node.setMaintenance(false);
  timer.advance(60_000);
  await settle();
  t.deepEqual(readings().map((r: ReadingV1) => r.flags.maintenance), [true, false]);
});

test('a failing sensor goes to onError, the field is left out and the loop goes on', async (t) => {
  let calls = 0;
  const { timer, transport, node, readings, sensorErrors } = setup({
    sample: () => {
      calls++;
      if (calls === 2) throw new Error('I2C NACK');
      if (calls === 3) return undefined;
      if (calls === 4) return { thermometer: { temperature: Number.NaN }, hygrometer: { humidity: 40 } };
      return { thermometer: { temperature: 20 }, hygrometer: { humidity: 40 } };
    },
  });
  transport.connect();
  node.start();
  timer.advance(5 * 60_000);
  await settle();
  const rs = readings();
  t.is(rs.length, 3); // calls 1, 4 (humidity only), 5
  t.deepEqual(rs[1]!.measurements.map((m) => m.quantity), ['humidity']);
  t.deepEqual(sensorErrors.length, 3);
  t.is(node.stats.emptySamples, 2);
});

test('publishes a signed online status on connect, retained', async (t) => {
  const { transport, node, signer } = setup();
  node.start();
  transport.connect();
  await settle();
  const p = transport.published.find((x) => x.topic === node.topics.status)!;
  const env = decodeSign1(p.payload);
  t.true(env.ok && verifySign1(env.parts, signer.publicKey, nobleVerify));
  const status = env.ok ? decodeStatus(env.parts.payload) : undefined;
  t.true(status?.ok && status.status.online && status.status.deviceId === node.deviceIdHex);
});

test('the offline status (last will) is signed and says offline', (t) => {
  const { node, signer } = setup();
  const env = decodeSign1(node.statusMessage(false));
  t.true(env.ok && verifySign1(env.parts, signer.publicKey, nobleVerify));
  const status = env.ok ? decodeStatus(env.parts.payload) : undefined;
  t.true(status?.ok && status.status.online === false);
});

test('spreads nodes over the interval by device id, always within one interval', (t) => {
  const { node } = setup();
  for (const now of [0, 1, 59_999, 60_000, 1_767_225_600_123]) {
    const d = node.nextSlotDelay(now);
    t.true(d >= 1 && d <= 60_000, `delay ${d}`);
    t.is(node.nextSlotDelay(now + d) , 60_000);
  }
});

test('stop() ends sampling and leaves the outbox as it is', async (t) => {
  const { timer, node, outbox } = setup();
  node.start();
  timer.advance(2 * 60_000);
  await node.stop();
  const depth = outbox.depth;
  timer.advance(10 * 60_000);
  t.is(outbox.depth, depth);
  t.is(timer.pending, 0);
});

test('refuses a bad config, naming the field', (t) => {
  const { node } = setup();
  t.truthy(node);
  t.throws(() => setup({ intervalMs: 10 }), { instanceOf: RangeError, message: /intervalMs/ });
});
