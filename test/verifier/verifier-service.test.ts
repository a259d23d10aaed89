// End to end on loopback: a node-core reading goes through a broker to the verifier, is credited once, its
// verdict shows over MQTT and HTTP, the epoch closes with a root whose proof verifies with OpenZeppelin's
// library, and recompute reproduces it. Once on SQLite, once on PostgreSQL.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { toHex } from '../../src/core/bytes.js';
import { FieldNode } from '../../src/core/field-node.js';
import { silentLog } from '../../src/core/host.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { MemoryOutbox } from '../../src/core/outbox.js';
import { FIELDS, Sampler } from '../../src/core/sampler.js';
import { SequenceAllocator } from '../../src/core/sequence.js';
import { createNobleSigner } from '../../src/core/signer.js';
import { MqttTransport } from '../../hosts/node/mqtt-transport.js';
import { recomputeEpoch } from '../../src/verifier/epoch-close.js';
import { signAttestation } from '../../src/verifier/registry/attestation.js';
import { signOwnershipClaim } from '../../src/verifier/registry/ownership-claim.js';
import { decodeVerdictMessage } from '../../src/verifier/verdict-message.js';
import { resolveVerifierConfig, type VerifierConfigInput } from '../../src/verifier/verifier-config.js';
import { startVerifier } from '../../src/verifier/verifier-service.js';
import { ManualClock } from '../helpers/fake-host.js';
import { needService, POSTGRES } from '../helpers/services.js';

const T0 = 1_767_225_600;
const owner = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';

const waitFor = async <T>(get: () => T | undefined | Promise<T | undefined>, what: string, ms = 5000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

async function endToEnd(t: import('ava').ExecutionContext, ledgerConfig: VerifierConfigInput) {
  const fleet = createNobleSigner(new Uint8Array(32).fill(21));
  const deviceSigner = createNobleSigner(new Uint8Array(32).fill(22));
  const clock = new ManualClock((T0 + 30) * 1000);
  const config = resolveVerifierConfig({
    dataDir: mkdtempSync(join(tmpdir(), 'fp-verifier-')),
    brokerPort: 0,
    httpPort: 0,
    trustedFleetKeys: [toHex(fleet.publicKey)],
    closeGraceS: 60,
    autoClose: false,
    rewards: { epochSeconds: 600, genesis: T0, emission: { initial: '1000000000', halvingEvery: 100 }, maxDeviceShare: 1, maxDevicesPerArea: 3, minQuality: 0.5, readingIntervalSeconds: 60 },
    ...ledgerConfig,
  });
  const verifier = await startVerifier(config, silentLog, { now: () => clock.now(), report: () => ({ seed: 7 }) });
  t.teardown(() => verifier.stop());

  // Onboarding over HTTP: attestation by the fleet key + claim signed by the device key with a fresh nonce.
  const { nonce } = (await (await fetch(`${verifier.httpUrl}/v1/nonces`, { method: 'POST' })).json()) as { nonce: string };
  const attestation = signAttestation(fleet, { publicKey: deviceSigner.publicKey, model: 'esp32-bme280', sensorKinds: ['bme280'] }, T0);
  const claim = signOwnershipClaim(deviceSigner, { owner, nonce, location: { lat: 47.37, lon: 8.54 }, signedAt: T0 });
  const registered = await fetch(`${verifier.httpUrl}/v1/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ attestation: toHex(attestation), claim: toHex(claim) }),
  });
  t.is(registered.status, 201);
  const deviceId = ((await registered.json()) as { deviceId: string }).deviceId;
  // the same nonce cannot be used twice
  const again = await fetch(`${verifier.httpUrl}/v1/devices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attestation: toHex(attestation), claim: toHex(claim) }) });
  t.is(again.status, 409);

  // The real node core, over MQTT.js, to the verifier's broker.
  const transport = new MqttTransport({ url: verifier.brokerUrl, clientId: `fp-${deviceId}`, log: silentLog });
  const node = new FieldNode(
    {
      clock,
      timer: { set: () => 0, clear: () => {} },
      signer: deviceSigner,
      sequence: new SequenceAllocator(new MemoryStorage(), { fresh: true }),
      outbox: new MemoryOutbox(10),
      transport,
      sampler: new Sampler([{ name: 'sim', sensor: { sample: () => ({ thermometer: { temperature: 14.25 }, hygrometer: { humidity: 60 } }) }, fields: [FIELDS.thermometer, FIELDS.hygrometer] }], () => {}),
      log: silentLog,
    },
    { intervalMs: 60_000, firmwareBuild: new Uint8Array([1]), firmwareVersion: 'e2e' },
  );
  const watcher = await mqtt.connectAsync(verifier.brokerUrl, { clientId: `watch-${deviceId}` });
  t.teardown(() => watcher.endAsync());
  const verdicts: Record<string, unknown>[] = [];
  watcher.on('message', (_topic, payload) => verdicts.push(decodeVerdictMessage(new Uint8Array(payload))!));
  await watcher.subscribeAsync(node.topics.verdicts, { qos: 1 });
  transport.connect();
  await waitFor(() => (transport.connected ? true : undefined), 'node connection');
  node.start();
  const cycle = node.cycle();
  if (cycle.kind !== 'stored') return t.fail(cycle.detail);
  await node.drain();

  const verdict = await waitFor(() => verdicts[0], 'a verdict over MQTT');
  t.is(verdict.status, 'accepted');
  t.is(verdict.reason, 'ok');
  t.is(verdict.seq, 0);

  // Redelivery of the very same bytes: a duplicate, credited once.
  await transport.publish(node.topics.readings, cycle.message, { qos: 1 });
  const dup = await waitFor(() => verdicts[1], 'the duplicate verdict');
  t.is(dup.reason, 'duplicate');

  const httpVerdicts = (await (await fetch(`${verifier.httpUrl}/v1/verdicts?device=${deviceId}`)).json()) as { reason: string }[];
  t.deepEqual(httpVerdicts.map((v) => v.reason), ['ok']);
  const readings = (await (await fetch(`${verifier.httpUrl}/v1/devices/${deviceId}/readings`)).json()) as unknown[];
  t.is(readings.length, 1);
  t.regex(await (await fetch(`${verifier.httpUrl}/metrics`)).text(), /fieldproof_readings_total\{status="accepted",reason="ok"\} 1/);
  // The dashboard, its fleet view on the verifier's clock, its rewards tally of the open epoch, the simulation report.
  t.regex(await (await fetch(`${verifier.httpUrl}/`)).text(), /<title>fieldproof verifier<\/title>/);
  const fleetView = (await (await fetch(`${verifier.httpUrl}/v1/fleet`)).json()) as { devices: { deviceId: string; state: string }[] };
  t.like(fleetView.devices, [{ deviceId, state: 'accepted' }]);
  let tally: { current: { epoch: number; complete: boolean; readingsByOwner: unknown[] } } | undefined;
  for (let i = 0; i < 100 && tally?.current.complete !== true; i++) tally = (await (await fetch(`${verifier.httpUrl}/v1/rewards`)).json()) as NonNullable<typeof tally>;
  t.like(tally?.current, { epoch: 0, complete: true, readingsByOwner: [{ owner, readings: 1 }] });
  t.deepEqual(await (await fetch(`${verifier.httpUrl}/v1/report`)).json(), { seed: 7 });

  // Close epoch 0 once its grace has passed; prove the owner's payout with OpenZeppelin's verifier.
  clock.ms = (T0 + 600 + 61) * 1000;
  t.deepEqual(await verifier.closeDueEpochs(), [0]);
  const proof = (await (await fetch(`${verifier.httpUrl}/v1/epochs/0/proofs/${owner}`)).json()) as { root: string; amount: string; proof: string[] };
  t.true(BigInt(proof.amount) > 0n);
  t.true(StandardMerkleTree.verify(proof.root, ['address', 'uint256'], [owner, proof.amount], proof.proof));
  t.false(StandardMerkleTree.verify(proof.root, ['address', 'uint256'], [owner, (BigInt(proof.amount) + 1n).toString()], proof.proof));
  const recomputed = await recomputeEpoch(verifier.ledger, 0, { rewards: config.rewards, quality: config.quality });
  t.true(recomputed.matches);
  t.deepEqual(await verifier.closeDueEpochs(), []); // closed once

  await transport.close();
  await node.stop();
}

test('SQLite: a node-core reading is credited once, visible over MQTT and HTTP, and settled provably', async (t) => {
  await endToEnd(t, {});
});

test('PostgreSQL: the same, on a PostgreSQL ledger', async (t) => {
  if (!(await needService(POSTGRES.name, POSTGRES.host, POSTGRES.port))) return t.pass('skipped: no PostgreSQL');
  const schema = `fp_e2e_${process.pid}_${Date.now().toString(36)}`;
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: POSTGRES.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  await endToEnd(t, { database: POSTGRES.url, databaseSchema: schema });
});
