// Two verifier processes on one broker (Mosquitto, MQTT 5 shared subscription) and one PostgreSQL ledger:
// they split the readings, every reading gets exactly one verdict, and a message delivered twice is credited once.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { toHex } from '../../../src/core/bytes.js';
import { signSign1 } from '../../../src/core/cose-sign1.js';
import { deviceIdOf } from '../../../src/core/device-id.js';
import { silentLog } from '../../../src/core/host.js';
import { encodeReading } from '../../../src/core/reading.js';
import { createNobleSigner } from '../../../src/core/signer.js';
import { nodeTopics } from '../../../src/core/topics.js';
import { areaOf } from '../../../src/verifier/registry/area.js';
import { resolveVerifierConfig } from '../../../src/verifier/verifier-config.js';
import { startVerifier } from '../../../src/verifier/verifier-service.js';
import { MOSQUITTO, needService, POSTGRES } from '../../helpers/services.js';

test('two verifiers split the load and credit each reading exactly once', async (t) => {
  if (!(await needService(MOSQUITTO.name, MOSQUITTO.host, MOSQUITTO.port))) return t.pass('skipped: no Mosquitto');
  if (!(await needService(POSTGRES.name, POSTGRES.host, POSTGRES.port))) return t.pass('skipped: no PostgreSQL');
  const schema = `fp_shared_${process.pid}_${Date.now().toString(36)}`;
  const group = `fp-test-${process.pid}-${Date.now().toString(36)}`;
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: POSTGRES.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  const now = Math.floor(Date.now() / 1000);
  const config = (n: number) =>
    resolveVerifierConfig({
      dataDir: mkdtempSync(join(tmpdir(), `fp-shared-${n}-`)),
      database: POSTGRES.url,
      databaseSchema: schema,
      broker: MOSQUITTO.url,
      httpPort: 0,
      autoClose: false,
      sharedGroup: group,
      sessionExpiryS: 0, // nothing of this test lingers at the broker
      rewards: { epochSeconds: 3600, genesis: now - 86_400, emission: { initial: '1000', halvingEvery: 10 }, maxDeviceShare: 1, maxDevicesPerArea: 5, minQuality: 0, readingIntervalSeconds: 60 },
    });
  // Both subscribe as $share/<group>/...: a group name unique to this run keeps other runs' messages away.
  const errors: string[] = [];
  const log = { ...silentLog, error: (m: string) => errors.push(m), warn: (m: string) => errors.push(m) };
  const a = await startVerifier({ ...config(1) }, log, { clientId: `${group}-a` });
  const b = await startVerifier({ ...config(2) }, log, { clientId: `${group}-b` });
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  t.is(a.ingest.filter.startsWith('$share/'), true);

  const signers = Array.from({ length: 10 }, (_, i) => createNobleSigner(new Uint8Array(32).fill(100 + i)));
  for (const s of signers) {
    await a.ledger.putDevice({
      deviceId: toHex(deviceIdOf(s.publicKey)),
      publicKey: s.publicKey,
      model: 'esp32-bme280',
      sensorKinds: ['bme280'],
      location: { lat: 47.37, lon: 8.54 },
      area: areaOf({ lat: 47.37, lon: 8.54 }),
      owner: '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23',
      status: 'active',
      registeredAt: Date.now() - 1000,
      attestation: new Uint8Array([1]),
    });
  }
  // Count only this test's devices: other tests and tools may publish readings on the same broker, and every
  // shared-subscription group receives its own copy of each.
  const ours = new Set(signers.map((s) => toHex(deviceIdOf(s.publicKey))));
  let handledA = 0;
  let handledB = 0;
  const countA = a.metrics.observeVerdict;
  const countB = b.metrics.observeVerdict;
  a.metrics.observeVerdict = (v, ms) => (v.deviceId && ours.has(v.deviceId) && handledA++, countA(v, ms));
  b.metrics.observeVerdict = (v, ms) => (v.deviceId && ours.has(v.deviceId) && handledB++, countB(v, ms));

  const publisher = await mqtt.connectAsync(MOSQUITTO.url, { clientId: `${group}-pub` });
  const perDevice = 10;
  const messages: { topic: string; bytes: Uint8Array }[] = [];
  for (const [i, s] of signers.entries()) {
    const deviceId = deviceIdOf(s.publicKey);
    for (let seq = 0; seq < perDevice; seq++) {
      const payload = encodeReading({
        deviceId,
        seq,
        time: now - 10 * 60 + seq * 60 - 600,
        measurements: [{ quantity: 'temperature', value: 14 + i / 10 + seq / 100, unit: 'Cel' }],
        firmware: new Uint8Array([1]),
        flags: { backfilled: true, maintenance: false },
      });
      messages.push({ topic: nodeTopics(toHex(deviceId)).readings, bytes: signSign1(payload, s) });
    }
  }
  for (const m of messages) await publisher.publishAsync(m.topic, Buffer.from(m.bytes), { qos: 1 });
  // the same message twice: whichever verifier gets each copy, it is credited once
  await publisher.publishAsync(messages[0]!.topic, Buffer.from(messages[0]!.bytes), { qos: 1 });
  await publisher.endAsync();

  const total = messages.length + 1;
  // Wait while verdicts keep coming (a loaded CI machine is slow), at most 60 s.
  let seen = -1;
  for (let idle = 0, i = 0; i < 1200 && handledA + handledB < total && idle < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    idle = handledA + handledB === seen ? idle + 1 : 0;
    seen = handledA + handledB;
  }
  t.deepEqual(errors, []);
  t.is(handledA + handledB, total, 'every delivery got a verdict');
  t.true(handledA > 0 && handledB > 0, `split ${handledA} / ${handledB}`);
  const reasons = await a.ledger.countVerdictsByReason();
  t.is(reasons.ok, messages.length);
  const epochs = new Set<number>();
  for (const s of signers) for (const r of await a.ledger.recentReadings(toHex(deviceIdOf(s.publicKey)), Number.MAX_SAFE_INTEGER, 100)) epochs.add(r.epoch);
  let stored = 0;
  for (const e of epochs) stored += (await a.ledger.readingsOfEpoch(e)).length;
  t.is(stored, messages.length, 'each reading stored exactly once');
});
