// kill -9 a desktop node at random moments while it signs and publishes: no reading stored in its outbox is
// ever lost, and no sequence number is ever used for two different readings.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { toHex } from '../../../src/core/bytes.js';
import { decodeSign1 } from '../../../src/core/cose-sign1.js';
import { decodeReading } from '../../../src/core/reading.js';
import { FileOutbox } from '../../../hosts/node/file-outbox.js';
import { startEmbeddedBroker } from '../../../hosts/node/embedded-broker.js';
import { seededRandom } from '../../../hosts/node/sim-sensors.js';

const fixture = fileURLToPath(new URL('../../fixtures/fast-node.js', import.meta.url));

function startNode(dataDir: string, url: string) {
  const child = spawn(process.execPath, [fixture, dataDir, url, '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`node exited early with ${code}`)));
  });
  return { child, ready };
}

test('kill -9 at random moments loses no stored reading and reuses no sequence number', async (t) => {
  const broker = await startEmbeddedBroker({ port: 0 });
  const received = new Map<number, string>(); // seq -> payload hex
  let deliveries = 0;
  const reused: number[] = [];
  const sub = await mqtt.connectAsync(broker.url, { clientId: 'crash-collector' });
  sub.on('message', (_topic, payload) => {
    const env = decodeSign1(new Uint8Array(payload));
    if (!env.ok) return;
    const r = decodeReading(env.parts.payload);
    if (!r.ok) return;
    deliveries++;
    const hex = toHex(env.parts.payload);
    const seen = received.get(r.reading.seq);
    if (seen !== undefined && seen !== hex) reused.push(r.reading.seq);
    received.set(r.reading.seq, hex);
  });
  await sub.subscribeAsync('fieldproof/v1/nodes/+/readings', { qos: 1 });

  const dataDir = mkdtempSync(join(tmpdir(), 'fp-crash-'));
  const random = seededRandom(20261125);
  const storedAtKill = new Set<number>();
  const deadUrl = 'mqtt://127.0.0.1:9'; // discard port: nothing listens, so the node works offline
  let offlineRounds = 0;
  for (let round = 0; round < 8; round++) {
    // Every other round the node has no broker: its readings pile up in the outbox when it is killed.
    const offline = round % 2 === 0;
    if (offline) offlineRounds++;
    const { child, ready } = startNode(dataDir, offline ? deadUrl : broker.url);
    await ready;
    await new Promise((r) => setTimeout(r, 150 + random() * 400));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // What the outbox holds after the crash must all arrive eventually.
    const outbox = new FileOutbox(join(dataDir, 'outbox.log'), { capacity: 100_000 });
    for (const e of outbox.peek(100_000)) storedAtKill.add(e.seq);
    outbox.close();
  }
  // A last, clean run drains the outbox.
  const { child, ready } = startNode(dataDir, broker.url);
  await ready;
  await new Promise((r) => setTimeout(r, 300));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  t.is(await exited, 0);
  await new Promise((r) => setTimeout(r, 200));

  const finalOutbox = new FileOutbox(join(dataDir, 'outbox.log'), { capacity: 100_000 });
  t.is(finalOutbox.depth, 0, 'outbox drained');
  finalOutbox.close();
  t.deepEqual(reused, [], 'a sequence number was used for two different readings');
  const missing = [...storedAtKill].filter((s) => !received.has(s));
  t.deepEqual(missing, [], 'readings stored in the outbox at a crash never arrived');
  t.true(received.size > 100, `only ${received.size} readings`);
  t.true(storedAtKill.size > 50, `only ${storedAtKill.size} readings were pending at kills over ${offlineRounds} offline rounds`);
  t.log(`${received.size} distinct readings, ${deliveries - received.size} redeliveries (QoS 1 is at-least-once), ${storedAtKill.size} pending at kills`);
  await sub.endAsync();
  await broker.close();
});
