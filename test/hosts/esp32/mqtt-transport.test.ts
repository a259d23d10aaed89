import test from 'ava';
import { Backoff } from '../../../hosts/esp32/backoff.js';
import { MqttTransport } from '../../../hosts/esp32/mqtt-transport.js';
import { silentLog } from '../../../src/core/host.js';
import { ManualClock, ManualTimer, settle } from '../../helpers/fake-host.js';
import { FakeMqttBroker } from './emulators/mqtt-client.js';

function rig(will = true) {
  const clock = new ManualClock(0);
  const timer = new ManualTimer(clock);
  const broker = new FakeMqttBroker();
  const events: string[] = [];
  let wills = 0;
  const transport = new MqttTransport({
    create: broker.create,
    host: 'broker.example',
    port: 8883,
    clientId: 'fp-0123456789abcdef',
    ...(will ? { will: () => ({ topic: 'fieldproof/v1/nodes/x/status', message: Uint8Array.of(0xd2, ++wills), QoS: 1 as const, retain: true }) } : {}),
    timer,
    backoff: new Backoff({ initialMs: 1000, maxMs: 8000 }),
    log: silentLog,
  });
  transport.setEvents({ connect: () => events.push('connect'), disconnect: (r) => events.push(`disconnect: ${r}`) });
  return { clock, timer, broker, transport, events };
}

const payload = (n: number) => Uint8Array.of(n, n, n);

test('nothing connects before the network is up; CONNACK makes it connected', (t) => {
  const r = rig();
  t.is(r.broker.clients.length, 0);
  r.transport.setNetwork(true);
  t.false(r.transport.connected);
  const options = r.broker.last.options;
  t.like(options, { host: 'broker.example', port: 8883, id: 'fp-0123456789abcdef', clean: true, keepalive: 60_000 });
  t.deepEqual(new Uint8Array(options.will!.message), Uint8Array.of(0xd2, 1));
  t.like(options.will, { QoS: 1, retain: true });
  r.broker.last.connack();
  t.true(r.transport.connected);
  t.deepEqual(r.events, ['connect']);
});

test('a QoS 1 publish resolves on the PUBACK of its own packet id only', async (t) => {
  const r = rig();
  r.transport.setNetwork(true);
  r.broker.last.connack();
  const done: number[] = [];
  void r.transport.publish('t', payload(1), { qos: 1 }).then(() => done.push(1));
  void r.transport.publish('t', payload(2), { qos: 1 }).then(() => done.push(2));
  const [a, b] = r.broker.last.written;
  t.is(a!.options.QoS, 1);
  t.not(a!.options.id, b!.options.id);
  r.broker.last.puback(b!.options.id);
  await settle();
  t.deepEqual(done, [2]);
  r.broker.last.puback(a!.options.id);
  await settle();
  t.deepEqual(done, [2, 1]);
  t.is(r.transport.inFlight, 0);
});

test('losing the connection rejects what is in flight, then reconnects with backoff and a fresh will', async (t) => {
  const r = rig();
  r.transport.setNetwork(true);
  r.broker.last.connack();
  const result = r.transport.publish('t', payload(1), { qos: 1 });
  r.broker.last.error();
  t.is(r.broker.last.closes, 1, 'closed once, by the client itself after onError');
  await t.throwsAsync(result, { message: /connection lost/ });
  t.false(r.transport.connected);
  t.deepEqual(r.events, ['connect', 'disconnect: connection error']);
  await t.throwsAsync(r.transport.publish('t', payload(2), { qos: 1 }), { message: 'not connected' });
  r.timer.advance(999);
  t.is(r.broker.clients.length, 1);
  r.timer.advance(1);
  t.is(r.broker.clients.length, 2);
  t.deepEqual(new Uint8Array(r.broker.last.options.will!.message), Uint8Array.of(0xd2, 2));
  r.broker.last.error(); // refused (the client reports a bad CONNACK through onError)
  r.timer.advance(2000);
  t.is(r.broker.clients.length, 3);
  r.broker.last.connack();
  r.broker.last.error();
  r.timer.advance(1000);
  t.is(r.broker.clients.length, 4, 'a CONNACK reset the backoff');
});

test('no CONNACK within the connect timeout: the attempt is closed and retried', (t) => {
  const r = rig();
  r.transport.setNetwork(true);
  r.timer.advance(30_000);
  t.is(r.broker.clients[0]!.state, 'closed');
  r.timer.advance(1000);
  t.is(r.broker.clients.length, 2);
});

test('a socket without room queues the publish until onWritable, in order', async (t) => {
  const r = rig();
  r.transport.setNetwork(true);
  r.broker.last.connack();
  r.broker.last.room = 4;
  void r.transport.publish('t', payload(1), { qos: 1 });
  void r.transport.publish('t', payload(2), { qos: 1 });
  void r.transport.publish('t', payload(3), { qos: 1 });
  t.is(r.broker.last.written.length, 1);
  r.broker.last.drain(100);
  t.deepEqual(r.broker.last.written.map((w) => w.payload[0]), [1, 2, 3]);
});

test('network down closes the connection and stops reconnecting until it is up again', (t) => {
  const r = rig();
  r.transport.setNetwork(true);
  r.broker.last.connack();
  r.transport.setNetwork(false);
  t.is(r.broker.last.state, 'closed');
  r.timer.advance(600_000);
  t.is(r.broker.clients.length, 1);
  r.transport.setNetwork(true);
  t.is(r.broker.clients.length, 2);
});

test('packet ids stay within 1..65535 and skip ids still in flight', (t) => {
  const r = rig(false);
  r.transport.setNetwork(true);
  r.broker.last.connack();
  for (let i = 0; i < 70_000; i++) {
    void r.transport.publish('t', payload(0), { qos: 1 });
    const w = r.broker.last.written.at(-1)!;
    if (i !== 0) r.broker.last.puback(w.options.id); // the first stays in flight
  }
  const ids = r.broker.last.written.map((w) => w.options.id);
  t.true(ids.every((id) => id >= 1 && id <= 65535));
  t.is(ids.filter((id) => id === ids[0]).length, 1, 'the id in flight was never reused');
});

test('QoS 0 resolves once written', async (t) => {
  const r = rig();
  r.transport.setNetwork(true);
  r.broker.last.connack();
  await r.transport.publish('t', payload(1), { qos: 0 });
  t.is(r.broker.last.written[0]!.options.QoS, 0);
  t.is(r.transport.inFlight, 0);
});
