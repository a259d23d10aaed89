// End-to-end runs of the fleet simulator: real node cores, an embedded broker, the verifier on SQLite.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { silentLog } from '../../src/core/host.js';
import { reportMarkdown, writeReport, type SimReport } from '../../src/sim/report.js';
import { startSim, type SimOptions } from '../../src/sim/run-sim.js';
import { MOSQUITTO, POSTGRES, needService } from '../helpers/services.js';

const dirs: string[] = [];
test.after.always(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fp-sim-'));
  dirs.push(d);
  return d;
};

const base = (over: Partial<SimOptions> = {}): SimOptions => ({
  nodes: 24,
  seed: 21,
  region: { lat: 47.37, lon: 8.54, radiusKm: 20 },
  mix: { replay: 1, tamper: 1, forged_signature: 1, cloned_key: 1, invented: 1, flooding: 1, offline_backfill: 1, clock_skew: 1 },
  durationMs: 60 * 60_000,
  accel: Infinity,
  intervalS: 60,
  epochS: 1200,
  brokerPort: 0,
  dataDir: tmp(),
  httpPort: 0,
  storage: 'memory',
  log: silentLog,
  ...over,
});

const profile = (r: SimReport, name: string) => r.profiles.find((p) => p.profile === name)!;

let first: SimReport;
test.serial('an accelerated run judges every reading, settles its epochs, and writes its report', async (t) => {
  const options = base();
  const run = await startSim(options);
  first = await run.done;
  const r = first;
  t.is(r.totals.pending, 0, 'every reading sent got a verdict');
  t.is(r.totals.sent, r.totals.accepted + r.totals.rejected + r.totals.recorded);
  // 16 honest nodes for 60 min at 1/min.
  t.is(profile(r, 'honest').sent, 16 * 60);
  t.is(r.honest.falseRejections, 0, JSON.stringify(r.honest.reasons));
  // The outage node backfilled after its network came back, and the broker outage at 60 % cost nothing.
  t.is(profile(r, 'offline_backfill').accepted, 60);
  // Attacks that break authenticity never get through.
  for (const name of ['replay', 'tamper', 'forged_signature']) t.is(profile(r, name).accepted, 0, name);
  t.deepEqual(Object.keys(profile(r, 'forged_signature').byReason), ['bad_signature']);
  t.true(profile(r, 'replay').byReason.duplicate! > 0);
  // A clock 1-5 min ahead is refused as from the future (tolerance 2 min) or accepted when behind.
  const skew = profile(r, 'clock_skew');
  t.is(skew.sent, 60);
  // Epochs of 20 min over 60 min: 3 settled, each with a root.
  t.is(r.epochs.length, 3);
  for (const e of r.epochs) t.regex(e.root, /^0x[0-9a-f]{64}$/);
  t.true(profile(r, 'honest').rewardShare > 0.7);
  // Flooding earns no more than an honest node: its surplus over the median honest device is what it captures.
  t.true(profile(r, 'flooding').sent >= 12 * 59);
  t.true(profile(r, 'flooding').rewardShare < 0.005);
  const files = writeReport(options.dataDir, r);
  t.deepEqual(JSON.parse(readFileSync(files.json, 'utf8')), JSON.parse(JSON.stringify(r)));
  t.true(readFileSync(files.markdown, 'utf8').includes('| forged_signature | attack | 1 | 60 | 0 | 60 |'));
  t.true(reportMarkdown(r).includes('## Findings'));
});

test.serial('the same seed gives the same report', async (t) => {
  const again = await (await startSim(base())).done;
  t.deepEqual(again, first);
  // Boards sharing MQTT connections (how 10,000 nodes run) change nothing in what happens.
  const pooled = await (await startSim(base({ boardsPerConnection: 8 }))).done;
  t.deepEqual(pooled, first);
  const other = await (await startSim(base({ seed: 22, durationMs: 20 * 60_000 }))).done;
  t.notDeepEqual(other.profiles, first.profiles);
});

test.serial('drives an external deployment: Mosquitto and a PostgreSQL ledger', async (t) => {
  if (!(await needService(MOSQUITTO.name, MOSQUITTO.host, MOSQUITTO.port))) return t.pass();
  if (!(await needService(POSTGRES.name, POSTGRES.host, POSTGRES.port))) return t.pass();
  const schema = `fp_sim_test_${process.pid}`;
  const run = await startSim(base({ nodes: 12, mix: { replay: 1, forged_signature: 1 }, durationMs: 25 * 60_000, epochS: 600, brokerUrl: MOSQUITTO.url, databaseUrl: POSTGRES.url, databaseSchema: schema }));
  const r = await run.done;
  try {
    t.is(r.totals.pending, 0);
    t.is(profile(r, 'honest').accepted, 10 * 25);
    t.is(profile(r, 'forged_signature').accepted, 0);
    t.is(r.epochs.length, 3, "two whole epochs of 10 min and the last, partial one");
  } finally {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: POSTGRES.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});

test('contradicting options are refused with a clear error', async (t) => {
  await t.throwsAsync(startSim(base({ brokerUrl: 'mqtt://127.0.0.1:1', brokerOutage: true, accel: 60 })), { message: /FP_E_SIM_OPTIONS: a broker outage/ });
  await t.throwsAsync(startSim(base({ epochS: 90 })), { message: /epochS/ });
  await t.throwsAsync(startSim(base({ durationMs: 10 })), { message: /durationMs/ });
});
