// The dashboard's routes at fleet scale: /v1/fleet, /v1/series and /v1/rewards over a SQLite ledger holding 10,000
// devices that each sent one reading a minute for the last 30 minutes (300,000 readings and verdicts, plus a
// rejection for every 50th device), answered by buildApi through fastify's inject (no socket).
// The preload is written with plain SQL into the ledger's own tables (as bench/ledger-inserts.ts does): through
// recordVerdict it would take minutes and measure nothing new. Figures: CPU time of the first ask (which fills the
// running tallies, fleet-tallies.ts), then of a poll every 5 s of the API's clock (median wall time, mean CPU time:
// process.cpuUsage is less noisy on a shared machine), and the response size.
// `node dist/bench/dashboard-queries.js [devices]` prints them.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nobleVerify } from '../src/core/signer.js';
import { buildApi } from '../src/verifier/http/api.js';
import { createMetrics } from '../src/verifier/http/metrics.js';
import { SqliteLedger } from '../src/verifier/ledger/sqlite-ledger.js';

const T0 = 1_798_761_600;
const MINUTES = 30;
const deviceId = (n: number) => (0xfe00_0000 + n).toString(16).padStart(16, '0');
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

function preload(path: string, devices: number): { readings: number; verdicts: number } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const device = db.prepare('INSERT INTO devices (device_id, public_key, model, sensor_kinds, lat, lon, area, owner, status, registered_at, attestation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const verdict = db.prepare('INSERT INTO verdicts (message_hash, device_id, seq, reading_time, received_at, status, reason, detail, quality, epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const reading = db.prepare('INSERT INTO readings (device_id, seq, message_hash, time, received_at, epoch, measurements, backfilled, maintenance, quality, message) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 1, ?)');
  const message = Buffer.alloc(120, 0xd2);
  let readings = 0;
  let verdicts = 0;
  db.transaction(() => {
    for (let d = 0; d < devices; d++) {
      const id = deviceId(d);
      device.run(id, Buffer.alloc(32, d & 0xff), 'esp32-bme280', '["bme280"]', 47 + (d % 100) / 100, 8 + Math.floor(d / 100) / 100, 'a', `0x${(d % 500).toString(16).padStart(40, '0')}`, 'active', T0 * 1000, Buffer.from([1]));
      for (let m = 0; m < MINUTES; m++) {
        const time = T0 + m * 60 + (d % 60);
        const h = hash(`${id}/${m}`);
        const measurements = JSON.stringify([{ quantity: 'temperature', value: 14 + (d % 7) / 10 + m / 100 }, { quantity: 'humidity', value: 60 - (d % 5) }, { quantity: 'pressure', value: 101_300 + (d % 11) }, { quantity: 'pm2_5', value: 8 + (d % 13) / 10 }]);
        verdict.run(h, id, m + 1, time, time * 1000 + 300, 'accepted', 'ok', 'accepted', 1, 0);
        reading.run(id, m + 1, h, time, time * 1000 + 300, 0, measurements, message);
        readings++;
        verdicts++;
      }
      if (d % 50 === 0) {
        verdict.run(hash(`${id}/bad`), id, 999, T0 + 1700, (T0 + 1700) * 1000, 'rejected', 'bad_signature', 'bad', null, 0);
        verdicts++;
      }
    }
  })();
  db.close();
  return { readings, verdicts };
}

export async function benchDashboardQueries(devices = 10_000) {
  const dir = mkdtempSync(join(tmpdir(), 'fp-bench-dashboard-'));
  try {
    const path = join(dir, 'ledger.sqlite');
    const schema = new SqliteLedger(path);
    await schema.open(); // creates the tables and indexes
    await schema.close();
    const loaded = preload(path, devices);
    const ledger = new SqliteLedger(path);
    await ledger.open();
    let now = (T0 + MINUTES * 60) * 1000;
    const app = buildApi({
      ledger,
      onboarding: { ledger, trustedFleetKeys: new Set(), verify: nobleVerify, now: () => now },
      metrics: createMetrics({ defaultMetrics: false }),
      now: () => now,
      currentEpoch: () => ({ epoch: 0, startS: T0 }),
    });
    const ask = async (url: string) => {
      const cpu = process.cpuUsage();
      const t = performance.now();
      const r = await app.inject({ method: 'GET', url });
      const wall = performance.now() - t;
      const used = process.cpuUsage(cpu);
      if (r.statusCode !== 200) throw new Error(`bench: ${url} answered ${r.statusCode}`);
      return { wall, cpu: (used.user + used.system) / 1000, bytes: r.body.length, body: r.body };
    };
    const ms = (x: number) => Math.round(x * 10) / 10;
    const routes: Record<string, unknown> = {};
    for (const url of ['/v1/fleet', '/v1/series?window=1800&bucket=60', '/v1/rewards']) {
      // The first ask fills the running tallies; the dashboard then polls every 5 s.
      let first = await ask(url);
      let asks = 1;
      const firstCpu = first.cpu;
      // The open epoch's tally catches up over several asks (a time budget each): count them.
      while (url === '/v1/rewards' && (JSON.parse(first.body) as { current: { complete: boolean } }).current.complete === false && asks < 1000) {
        first = await ask(url);
        asks++;
      }
      const polls = [];
      for (let i = 0; i < 5; i++) {
        now += 5000;
        // The recent chart buckets are read again at most every 2 s (wall clock): wait as a dashboard would.
        if (url.startsWith('/v1/series')) await new Promise((resolve) => setTimeout(resolve, 2100));
        polls.push(await ask(url));
      }
      const walls = polls.map((p) => p.wall).sort((a, b) => a - b);
      routes[url] = {
        first_cpu_ms: ms(firstCpu),
        asks_to_catch_up: asks,
        poll_wall_ms_median: ms(walls[2]!),
        poll_cpu_ms: ms(polls.reduce((n, p) => n + p.cpu, 0) / polls.length),
        response_kib: Math.round(polls[0]!.bytes / 1024),
      };
    }
    await app.close();
    await ledger.close();
    return { devices, ...loaded, routes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const devices = Number(process.argv[2] ?? 10_000);
  const r = await benchDashboardQueries(devices);
  console.log(`${r.devices} devices, ${r.readings} readings, ${r.verdicts} verdicts`);
  console.table(r.routes);
}
