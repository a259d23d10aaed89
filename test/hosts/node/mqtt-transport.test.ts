import test from 'ava';
import { createServer } from 'node:net';
import { MqttTransport, parseBrokerUrl } from '../../../hosts/node/mqtt-transport.js';
import { startEmbeddedBroker } from '../../../hosts/node/embedded-broker.js';
import type { Log } from '../../../src/core/host.js';

const recordingLog = () => {
  const lines: string[] = [];
  const log: Log = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
  return { lines, log };
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('a broker that is down: a clear message naming it, publish refused, node keeps trying', async (t) => {
  const port = await freePort();
  const { lines, log } = recordingLog();
  const transport = new MqttTransport({ url: `mqtt://127.0.0.1:${port}`, clientId: 'fp-test-down', log, minBackoffMs: 50 });
  transport.connect();
  await waitFor(() => lines.some((l) => l.includes('FP_E_BROKER_UNREACHABLE')));
  t.false(transport.connected);
  await t.throwsAsync(transport.publish('x', new Uint8Array([1]), { qos: 1 }), { message: /not connected/ });
  t.true(lines.some((l) => l.includes(`mqtt://127.0.0.1:${port}`) && /readings stay in the outbox/.test(l)));
  await transport.close();
});

test('reconnects with backoff when the broker comes back, and says so', async (t) => {
  const port = await freePort();
  const { lines, log } = recordingLog();
  const transport = new MqttTransport({ url: `mqtt://127.0.0.1:${port}`, clientId: 'fp-test-back', log, minBackoffMs: 50, maxBackoffMs: 200 });
  let connects = 0;
  transport.setEvents({ connect: () => connects++, disconnect: () => {} });
  transport.connect();
  await new Promise((r) => setTimeout(r, 300));
  const broker = await startEmbeddedBroker({ port });
  await waitFor(() => transport.connected);
  t.is(connects, 1);
  t.true(lines.some((l) => /reachable again/.test(l)));
  await transport.publish('fieldproof/v1/test', new Uint8Array([1, 2]), { qos: 1 });
  await transport.close();
  await broker.close();
});

test('refuses a broker URL that is not MQTT, naming it', (t) => {
  t.throws(() => parseBrokerUrl('http://127.0.0.1:1883'), { message: /FP_E_BROKER_URL.*http:/ });
  t.throws(() => parseBrokerUrl('127.0.0.1:1883'), { message: /FP_E_BROKER_URL/ });
  t.is(parseBrokerUrl('mqtts://broker.example:8883').port, '8883');
});

test('embedded broker: a taken port is a clear error, or the next free port when allowed', async (t) => {
  const first = await startEmbeddedBroker({ port: 0 });
  await t.throwsAsync(startEmbeddedBroker({ port: first.port }), { message: new RegExp(`FP_E_PORT_IN_USE: port ${first.port}`) });
  const second = await startEmbeddedBroker({ port: first.port, tryNextPorts: 5 });
  t.not(second.port, first.port);
  await second.close();
  await first.close();
});
