import test from 'ava';
import mqtt from 'mqtt';
import { silentLog } from '../../../src/core/host.js';
import { startEmbeddedBroker } from '../../../hosts/node/embedded-broker.js';
import { MqttIngest } from '../../../src/verifier/service/mqtt-ingest.js';
import type { VerdictV1 } from '../../../src/verifier/types.js';

const verdictFor = (messageHash: string): VerdictV1 => ({
  v: 1, messageHash, deviceId: null, seq: null, readingTime: null, receivedAt: 0, status: 'rejected', reason: 'malformed', detail: '', quality: null, epoch: null,
});

test('stopping finishes the reading in flight before disconnecting', async (t) => {
  const broker = await startEmbeddedBroker({ port: 0 });
  t.teardown(() => broker.close());
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const finished: string[] = [];
  const ingest = new MqttIngest({
    url: broker.url,
    shared: false,
    clientId: 'fp-ingest-stop',
    log: silentLog,
    handle: async (report) => {
      await gate;
      finished.push(report.messageHash);
      return verdictFor(report.messageHash);
    },
  });
  await ingest.start();
  const pub = await mqtt.connectAsync(broker.url, { clientId: 'fp-ingest-pub' });
  await pub.publishAsync('fieldproof/v1/nodes/0011223344556677/readings', Buffer.from([1]), { qos: 1 });
  for (let i = 0; i < 100 && ingest.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.is(ingest.inFlight, 1);
  const stopped = ingest.stop(5000);
  await new Promise((r) => setTimeout(r, 50));
  t.is(finished.length, 0, 'still waiting for the reading in flight');
  release();
  await stopped;
  t.is(finished.length, 1);
  await pub.endAsync();
});

test('a reading whose recording fails is left unacknowledged and delivered again on the same session', async (t) => {
  const broker = await startEmbeddedBroker({ port: 0 });
  t.teardown(() => broker.close());
  let calls = 0;
  const ingest = new MqttIngest({
    url: broker.url,
    shared: false,
    clientId: 'fp-ingest-redeliver',
    log: silentLog,
    handle: async (report) => {
      calls++;
      if (calls === 1) throw new Error('ledger unavailable');
      return verdictFor(report.messageHash);
    },
  });
  await ingest.start();
  const pub = await mqtt.connectAsync(broker.url, { clientId: 'fp-ingest-pub2' });
  await pub.publishAsync('fieldproof/v1/nodes/0011223344556677/readings', Buffer.from([2]), { qos: 1 });
  await pub.publishAsync('fieldproof/v1/nodes/0011223344556677/readings', Buffer.from([3]), { qos: 1 });
  for (let i = 0; i < 300 && calls < 3; i++) await new Promise((r) => setTimeout(r, 10));
  t.is(calls, 3, 'the failed reading came back, and ingest did not stall on it');
  await ingest.stop();
  await pub.endAsync();
});
