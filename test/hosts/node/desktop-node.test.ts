// Integration on loopback against the real Mosquitto: a desktop node publishes signed readings, a retained
// signed status, and its last will when killed.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { decodeSign1, verifySign1 } from '../../../src/core/cose-sign1.js';
import { decodeReading } from '../../../src/core/reading.js';
import { decodeStatus } from '../../../src/core/status.js';
import { nobleVerify } from '../../../src/core/signer.js';
import { openDesktopNode } from '../../../hosts/node/desktop-node.js';
import { resolveNodeConfig } from '../../../hosts/node/node-config.js';
import { silentLog } from '../../../src/core/host.js';
import { independentCose } from '../../helpers/independent-cose.js';
import { MOSQUITTO, needService } from '../../helpers/services.js';

const fixture = fileURLToPath(new URL('../../fixtures/fast-node.js', import.meta.url));

test('publishes signed readings to Mosquitto that an independent COSE library verifies', async (t) => {
  if (!(await needService(MOSQUITTO.name, MOSQUITTO.host, MOSQUITTO.port))) return t.pass('skipped: no Mosquitto');
  const dataDir = mkdtempSync(join(tmpdir(), 'fp-desk-'));
  const config = resolveNodeConfig({ dataDir, broker: MOSQUITTO.url, intervalS: 1, kind: 'air' });
  const running = openDesktopNode({ ...config, broker: MOSQUITTO.url }, { log: silentLog });
  const sub = await mqtt.connectAsync(MOSQUITTO.url, { clientId: `fp-it-${process.pid}` });
  const readings: Uint8Array[] = [];
  const statuses: Uint8Array[] = [];
  sub.on('message', (topic, payload) => (topic.endsWith('/readings') ? readings : statuses).push(new Uint8Array(payload)));
  await sub.subscribeAsync([running.node.topics.readings, running.node.topics.status], { qos: 1 });
  for (let i = 0; i < 60 && readings.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  await running.close();
  await new Promise((r) => setTimeout(r, 100));
  await sub.endAsync();

  t.true(readings.length >= 2, `${readings.length} readings`);
  const cose = await independentCose();
  const publicKey = (await import('../../../hosts/node/key-file.js')).readKey(join(dataDir, 'key.json')).publicKey;
  for (const message of readings) {
    const payload = cose.verifySign1(publicKey, message); // throws if the signature does not verify
    const r = decodeReading(payload);
    t.true(r.ok && r.reading.measurements.some((m) => m.quantity === 'pm2_5'));
  }
  // the last status seen is the clean shutdown's signed offline status
  const last = decodeSign1(statuses[statuses.length - 1]!);
  t.true(last.ok && verifySign1(last.parts, publicKey, nobleVerify));
  const status = last.ok ? decodeStatus(last.parts.payload) : undefined;
  t.true(status?.ok && status.status.online === false);
});

test('the broker publishes the signed offline last will when the node is killed', async (t) => {
  if (!(await needService(MOSQUITTO.name, MOSQUITTO.host, MOSQUITTO.port))) return t.pass('skipped: no Mosquitto');
  const dataDir = mkdtempSync(join(tmpdir(), 'fp-will-'));
  const child = spawn(process.execPath, [fixture, dataDir, MOSQUITTO.url, '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const deviceId = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim().split(' ')[1]!)));
  const sub = await mqtt.connectAsync(MOSQUITTO.url, { clientId: `fp-will-${process.pid}` });
  const statuses: { online: boolean; retained: boolean }[] = [];
  sub.on('message', (_topic, payload, packet) => {
    const env = decodeSign1(new Uint8Array(payload));
    const s = env.ok ? decodeStatus(env.parts.payload) : undefined;
    if (s?.ok) statuses.push({ online: s.status.online, retained: packet.retain });
  });
  await sub.subscribeAsync(`fieldproof/v1/nodes/${deviceId}/status`, { qos: 1 });
  for (let i = 0; i < 50 && !statuses.some((s) => s.online); i++) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  for (let i = 0; i < 100 && !statuses.some((s) => !s.online); i++) await new Promise((r) => setTimeout(r, 100));
  await sub.endAsync();
  t.true(statuses.some((s) => s.online), 'online status seen');
  t.true(statuses.some((s) => !s.online), 'last will (offline) seen after kill -9');
});
