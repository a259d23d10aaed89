// `npm run bench`: every benchmark of the project, printed and written to bench/results/latest.json.
// Figures, not pass/fail: speed and memory targets are read here, never asserted in timed tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchDashboardQueries } from './dashboard-queries.js';
import { benchLedgerInserts } from './ledger-inserts.js';
import { benchNodeSigning } from './node-signing.js';
import { benchReadingSize } from './reading-size.js';
import { benchSimFleet, formatSimFleet } from './sim-fleet.js';
import { benchVerifierE2E, formatVerifierE2E } from './verifier-e2e.js';
import { benchVerifierPipeline, formatVerifierPipeline } from './verifier-pipeline.js';
import { benchXsMemory, formatXsMemory } from './xs-memory.js';
import { benchXsSigning, formatXsSigning } from './xs-signing.js';
import { DEVICE_PRECOMPUTE_WINDOW } from '../src/core/signer.js';

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
};

console.log('== Signed reading size (COSE_Sign1, 4 quantities; target <= 120 bytes)');
const size = benchReadingSize();
console.table(size.rows);
results.readingSize = size;

console.log('\n== Node: readings built, encoded and signed per second');
const node = benchNodeSigning();
console.log(`noble (window 8): ${node.readings_per_s.noble_window_8}/s   native node:crypto: ${node.readings_per_s.native_node_crypto}/s   (${node.native_vs_noble}x)`);
results.nodeSigning = node;

console.log('\n== XS (the firmware bundle in the real XS engine)');
const xs = await benchXsSigning();
console.log(formatXsSigning(xs));
console.log(`  device default: W=${DEVICE_PRECOMPUTE_WINDOW} (see docs/PROTOCOL.md, "Signing on the device")`);
results.xsSigning = { ...xs, deviceDefaultWindow: DEVICE_PRECOMPUTE_WINDOW };

console.log('\n== Firmware memory budget and reading cycle in XS (the device composition on fakes of the Moddable modules)');
const xsMemory = await benchXsMemory();
console.log(formatXsMemory(xsMemory));
results.xsMemory = xsMemory;

console.log('\n== Verifier pipeline on one core: ingest() readings/s vs raw signature verify (target >= 90 %)');
const pipeline = await benchVerifierPipeline();
console.log(formatVerifierPipeline(pipeline));
results.verifierPipeline = pipeline;

console.log('\n== Verifier end to end: Mosquitto -> verifier process(es) -> PostgreSQL, 1 vs 2 processes, best of 2 rounds (target >= 1.8x)');
try {
  const e2e = await benchVerifierE2E();
  console.log(formatVerifierE2E(e2e));
  results.verifierE2E = e2e;
} catch (error) {
  // Services on loopback can misbehave; the other figures are still worth writing.
  console.log(`failed: ${(error as Error).message}`);
  results.verifierE2E = { failed: (error as Error).message };
}

// PostgreSQL's preload is generated at ~25,000 rows/s here: 2,000,000 would add over a minute to every run, so the
// default run preloads less; `node dist/bench/ledger-inserts.js` preloads 2,000,000 in both stores.
const POSTGRES_PRELOAD = 500_000;
console.log(`\n== Ledger: recordVerdict inserts/s into a ledger already holding readings (SQLite: 2,000,000; PostgreSQL: ${POSTGRES_PRELOAD.toLocaleString('en')} in this run)`);
const ledger = await benchLedgerInserts({ preload: 2_000_000, postgresPreload: POSTGRES_PRELOAD });
console.table(formatLedgerInserts(ledger));
if ('skipped' in ledger.postgres) console.log(`PostgreSQL skipped: ${ledger.postgres.skipped}`);
results.ledgerInserts = { ...ledger, note: `PostgreSQL preload lowered to ${POSTGRES_PRELOAD} in npm run bench (node dist/bench/ledger-inserts.js preloads 2,000,000)` };

console.log('\n== Fleet simulator: 1-hour 1,000-node accelerated run (twice), and nodes sustained in real time at a 60 s interval');
try {
  const sim = await benchSimFleet();
  console.log(formatSimFleet(sim));
  results.simFleet = sim;
} catch (error) {
  console.log(`failed: ${(error as Error).message}`);
  results.simFleet = { failed: (error as Error).message };
}

function formatLedgerInserts(r: Awaited<ReturnType<typeof benchLedgerInserts>>) {
  const rows: Record<string, unknown>[] = [];
  const row = (store: string, preload: number, m: { in_flight: number; inserts: number; inserts_per_s: number; cpu_us_per_insert: number; latency_ms: Record<string, number> }) =>
    rows.push({ store, preloaded: preload, in_flight: m.in_flight, inserts: m.inserts, 'inserts/s': m.inserts_per_s, 'CPU us/insert': m.cpu_us_per_insert, ...Object.fromEntries(Object.entries(m.latency_ms).map(([k, v]) => [`${k} ms`, v])) });
  row('SQLite (WAL, NORMAL)', r.sqlite.preload.readings, r.sqlite.record_verdict);
  row('SQLite (WAL, NORMAL)', r.sqlite.preload.readings, r.sqlite.record_verdict_16_in_flight);
  if (!('skipped' in r.postgres)) {
    row('PostgreSQL', r.postgres.preload.readings, r.postgres.record_verdict);
    row('PostgreSQL', r.postgres.preload.readings, r.postgres.record_verdict_16_in_flight);
  }
  return rows;
}

console.log('\n== Dashboard routes over SQLite: 10,000 devices, a reading a minute each for 30 minutes (first ask, then a poll every 5 s)');
const dashboard = await benchDashboardQueries(10_000);
console.table(dashboard.routes);
results.dashboardQueries = dashboard;

const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.json`, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten to bench/results/latest.json`);
