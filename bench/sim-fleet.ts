// Fleet simulator figures for `npm run bench` (issue 4): the wall time of a deterministic 1-hour, 1,000-node
// accelerated run (twice, to show the report replays exactly), and nodes sustained in real time at a 60 s
// interval with CPU and memory per 1,000 nodes. Each run is a child process so its CPU and memory are its own.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const child = fileURLToPath(new URL('./sim-fleet-child.js', import.meta.url));

export interface ChildFigures {
  nodes: number;
  wallS: number;
  cpuS: number;
  connectS: number;
  peakRssMiB: number;
  maxLagMs: number;
  steady?: { seconds: number; cpuPercent: number; readingsPerS: number };
  readings: number;
  pending: number;
  epochs: number;
  reportSha256: string;
  attackersShare: number;
  honestFalseRejectionRate: number;
}

async function runChild(options: object, timeoutMs: number): Promise<ChildFigures> {
  const { stdout } = await exec(process.execPath, ['--max-old-space-size=8192', child, JSON.stringify(options)], { timeout: timeoutMs, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildFigures;
}

export interface SimFleetBench {
  accelerated_1h_1000_nodes: { first: ChildFigures; second: ChildFigures; sameReport: boolean };
  realtime: Array<ChildFigures & { per1000: { cpuPercent: number; rssMiB: number }; sustained: boolean }>;
}

export async function benchSimFleet(options: { realtimeNodes?: number[]; realtimeSeconds?: number } = {}): Promise<SimFleetBench> {
  const first = await runChild({ nodes: 1000, durationMs: 3_600_000, accel: 'max', seed: 1 }, 900_000);
  const second = await runChild({ nodes: 1000, durationMs: 3_600_000, accel: 'max', seed: 1 }, 900_000);
  const realtime: SimFleetBench['realtime'] = [];
  for (const nodes of options.realtimeNodes ?? [1000, 10_000]) {
    const f = await runChild({ nodes, durationMs: (options.realtimeSeconds ?? 150) * 1000, accel: 1, seed: 2 }, 900_000);
    realtime.push({
      ...f,
      per1000: { cpuPercent: Math.round(((f.steady?.cpuPercent ?? NaN) * 1000) / nodes * 10) / 10, rssMiB: Math.round((f.peakRssMiB * 1000) / nodes) },
      // Sustained: simulated time never fell more than 5 s behind real time, and every reading got its verdict.
      sustained: f.maxLagMs < 5000 && f.pending === 0,
    });
  }
  return { accelerated_1h_1000_nodes: { first, second, sameReport: first.reportSha256 === second.reportSha256 }, realtime };
}

export function formatSimFleet(r: SimFleetBench): string {
  const a = r.accelerated_1h_1000_nodes;
  const lines = [
    `accelerated, 1 simulated hour, 1,000 nodes (default attack mix, broker outage): ${a.first.wallS} s wall, ${a.first.cpuS} s CPU, ${a.first.readings} readings, peak RSS ${a.first.peakRssMiB} MiB; again: ${a.second.wallS} s; same report: ${a.sameReport}`,
  ];
  for (const x of r.realtime) {
    lines.push(
      `real time, ${x.nodes.toLocaleString('en')} nodes at 60 s: ${x.steady ? `${x.steady.readingsPerS.toFixed(1)} readings/s, CPU ${x.steady.cpuPercent.toFixed(0)} % of one core` : 'no steady window'}, peak RSS ${x.peakRssMiB} MiB, ` +
        `connect ${x.connectS} s, max lag ${(x.maxLagMs / 1000).toFixed(1)} s -> ${x.sustained ? 'sustained' : 'NOT sustained'}; per 1,000 nodes: ${x.per1000.cpuPercent} % CPU, ${x.per1000.rssMiB} MiB`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchSimFleet();
  console.log(formatSimFleet(r));
}
