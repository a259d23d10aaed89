// One fleet simulation in a process of its own, so its CPU and memory are its own: `node sim-fleet-child.js '<json>'`
// prints one JSON line of figures. Used by sim-fleet.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { silentLog } from '../src/core/host.js';
import { defaultMix } from '../src/sim/profiles.js';
import { startSim } from '../src/sim/run-sim.js';

interface ChildOptions {
  nodes: number;
  /** Simulated ms. */
  durationMs: number;
  /** 'max' or 1 (real time). */
  accel: 'max' | 1;
  seed: number;
}

const o = JSON.parse(process.argv[2]!) as ChildOptions;
const dir = mkdtempSync(join(tmpdir(), 'fp-bench-sim-'));
let peakRss = 0;
let maxLagMs = 0;
let connectedAt = 0;
const samples: { t: number; cpu: number; sent: number }[] = [];
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const cpuNow = () => {
  const c = process.cpuUsage(cpu0);
  return (c.user + c.system) / 1000;
};
const memTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
try {
  const run = await startSim({
    nodes: o.nodes,
    seed: o.seed,
    region: { lat: 47.37, lon: 8.54, radiusKm: Math.max(25, Math.sqrt(o.nodes) * 1.5) },
    mix: o.accel === 'max' ? defaultMix(o.nodes) : {},
    durationMs: o.durationMs,
    accel: o.accel === 'max' ? Infinity : 1,
    intervalS: 60,
    epochS: o.accel === 'max' ? 1800 : 60,
    brokerPort: 0,
    dataDir: dir,
    httpPort: 0,
    brokerOutage: o.accel === 'max',
    storage: 'memory',
    log: process.env.FP_BENCH_VERBOSE ? { info: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`), warn: (m) => process.stderr.write(`W ${m}\n`), error: (m) => process.stderr.write(`E ${m}\n`) } : silentLog,
    onProgress: (p) => {
      if (!connectedAt) connectedAt = performance.now();
      maxLagMs = Math.max(maxLagMs, p.lagMs);
      const t = performance.now();
      if (!samples.length || t - samples[samples.length - 1]!.t > 1000) samples.push({ t, cpu: cpuNow(), sent: p.sent });
    },
  });
  const report = await run.done;
  if (process.env.FP_BENCH_REPORT) (await import('node:fs')).writeFileSync(process.env.FP_BENCH_REPORT, JSON.stringify(report, null, 1));
  const wallS = (performance.now() - t0) / 1000;
  // Steady state: from 20 % into the sampling period to its end (connecting 10,000 clients is not steady).
  const a = samples[Math.floor(samples.length * 0.2)];
  const b = samples[samples.length - 1];
  const steady = a && b && b.t > a.t ? { seconds: (b.t - a.t) / 1000, cpuPercent: (100 * (b.cpu - a.cpu)) / (b.t - a.t), readingsPerS: (1000 * (b.sent - a.sent)) / (b.t - a.t) } : undefined;
  console.log(
    JSON.stringify({
      nodes: o.nodes,
      wallS: Math.round(wallS * 10) / 10,
      cpuS: Math.round(cpuNow() / 100) / 10,
      connectS: Math.round(((connectedAt || performance.now()) - t0) / 100) / 10,
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      maxLagMs: Math.round(maxLagMs),
      steady,
      readings: report.totals.sent,
      pending: report.totals.pending,
      epochs: report.epochs.length,
      reportSha256: createHash('sha256').update(JSON.stringify(report)).digest('hex'),
      attackersShare: report.attackers.rewardShare,
      honestFalseRejectionRate: report.honest.falseRejectionRate,
    }),
  );
} finally {
  clearInterval(memTimer);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
