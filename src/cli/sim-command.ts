// `fieldproof sim`: a simulated fleet of real node cores against the verifier, in accelerated or real time,
// with faults and attacks, ending with a report (report.json, report.md) in the run's directory.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FieldproofError } from '../core/errors.js';
import type { Log } from '../core/host.js';
import { parseMix } from '../sim/profiles.js';
import { writeReport, type SimReport } from '../sim/report.js';
import { startSim, type SimOptions, type SimProgress } from '../sim/run-sim.js';
import { consoleLog } from './console-log.js';

/** "90m", "2h", "1d", "45s" or plain seconds -> ms. */
export function parseDuration(text: string, name = '--duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new RangeError(`${name}: a duration like 90m, 2h, 1d or 45s (got "${text}")`);
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 's']!;
  if (!(ms >= 1000)) throw new RangeError(`${name}: at least 1s`);
  return ms;
}

/** "lat,lon,radiusKm" */
export function parseRegion(text: string): SimOptions['region'] {
  const parts = text.split(',').map((x) => Number(x.trim()));
  const [lat, lon, radiusKm] = parts;
  if (parts.length !== 3 || !parts.every(Number.isFinite) || Math.abs(lat!) > 90 || Math.abs(lon!) > 180 || !(radiusKm! > 0 && radiusKm! <= 2000)) {
    throw new RangeError(`--region: lat,lon,radiusKm with lat -90..90, lon -180..180 and a radius of 0..2000 km (got "${text}")`);
  }
  return { lat: lat!, lon: lon!, radiusKm: radiusKm! };
}

export function parseAccel(text: string): number {
  if (text === 'max') return Infinity;
  const n = Number(text);
  if (!(n >= 1) || !Number.isFinite(n)) throw new RangeError(`--accel: "max" or a factor of at least 1 (1 = real time; got "${text}")`);
  return n;
}

const positiveInt = (name: string) => (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name}: a positive whole number (got "${text}")`);
  return n;
};

/** A progress line for the terminal. */
export function progressLine(p: SimProgress): string {
  const done = Number.isFinite(p.endMs) ? ` ${Math.min(100, (100 * (p.nowMs - p.startMs)) / (p.endMs - p.startMs)).toFixed(0)} %` : '';
  const lag = p.lagMs > 2000 ? `, ${Math.round(p.lagMs / 1000)} s behind real time` : '';
  return `${new Date(p.nowMs).toISOString().slice(0, 19)}Z${done}  readings ${p.sent}, verdicts ${p.verdicts}, epochs settled ${p.epochsClosed}${p.brokerUp ? '' : ', broker DOWN'}${lag}`;
}

export interface SimCliOptions {
  nodes: number;
  region: string;
  duration?: string;
  epochs?: number;
  accel: string;
  seed: number;
  interval: number;
  epochMinutes: number;
  broker?: string;
  database?: string;
  dataDir?: string;
  port: number;
  attacks: string;
  outage: boolean;
  storage: 'memory' | 'files';
  boardsPerConnection?: number;
  json?: boolean;
}

/** Turn the CLI's options into the simulation's, refusing contradictions with a clear message. */
export function simOptionsFrom(opts: SimCliOptions, log: Log, now = new Date()): SimOptions {
  const epochS = Math.round(opts.epochMinutes * 60);
  if (!(epochS >= opts.interval) || epochS % opts.interval !== 0) {
    throw new RangeError(`--epoch-minutes: an epoch must be a whole number of --interval periods (${opts.interval} s)`);
  }
  if (opts.duration !== undefined && opts.epochs !== undefined) throw new FieldproofError('FP_E_SIM_OPTIONS', 'give --duration or --epochs, not both');
  const durationMs = opts.epochs !== undefined ? opts.epochs * epochS * 1000 : parseDuration(opts.duration ?? '6h');
  const accel = parseAccel(opts.accel);
  if (!['memory', 'files'].includes(opts.storage)) throw new RangeError('--storage: memory or files');
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  const dataDir = opts.dataDir ?? join('.fieldproof', 'sim', `seed-${opts.seed}-${stamp}`);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new FieldproofError('FP_E_SIM_OPTIONS', `${dataDir} holds an earlier run; give a new --data-dir (each run starts from an empty ledger)`);
  }
  return {
    nodes: opts.nodes,
    seed: opts.seed,
    region: parseRegion(opts.region),
    mix: parseMix(opts.attacks, opts.nodes),
    durationMs,
    accel,
    intervalS: opts.interval,
    epochS,
    brokerUrl: opts.broker,
    databaseUrl: opts.database,
    databaseSchema: opts.database ? `fieldproof_sim_${opts.seed}_${stamp.toLowerCase()}` : undefined,
    dataDir,
    httpPort: opts.port,
    brokerOutage: opts.outage && !opts.broker,
    storage: opts.storage,
    ...(opts.boardsPerConnection !== undefined ? { boardsPerConnection: opts.boardsPerConnection } : {}),
    log,
  };
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('simulate a fleet: real node cores, a living environment, faults and attacks, the verifier, and a report')
    .option('-n, --nodes <count>', 'simulated nodes', positiveInt('--nodes'), 200)
    .option('--region <lat,lon,km>', 'centre and radius of the area the fleet covers', '47.37,8.54,25')
    .option('--duration <time>', 'simulated time to run, e.g. 90m, 6h, 2d (default 6h)')
    .option('--epochs <count>', 'run this many reward epochs instead of --duration', positiveInt('--epochs'))
    .option('--accel <factor>', 'simulated time per real time: max, or a factor (1 = real time)', 'max')
    .option('--seed <n>', 'seed: the same seed gives the same fleet, weather and report', positiveInt('--seed'), 1)
    .option('--interval <seconds>', 'sampling interval of the nodes', positiveInt('--interval'), 60)
    .option('--epoch-minutes <m>', 'reward epoch length in simulated minutes', Number, 60)
    .option('--attacks <mix>', 'default, none, or profile=count|percent% list (replay, tamper, forged_signature, cloned_key, invented, flooding, flatline, drift, clock_skew, offline_backfill)', 'default')
    .option('--no-outage', 'do not stop the embedded broker for 10 minutes partway through')
    .option('-b, --broker <url>', 'external MQTT broker (default: an embedded one)')
    .option('--database <url>', 'postgresql:// ledger (default: SQLite in the run directory)')
    .option('-d, --data-dir <dir>', 'run directory (default .fieldproof/sim/seed-<seed>-<time>)')
    .option('-p, --port <port>', 'HTTP port of the verifier and dashboard (0 = any free port)', Number, 0)
    .option('--storage <kind>', 'node records and outboxes: memory (fast) or files', 'memory')
    .option('--boards-per-connection <n>', 'boards sharing one MQTT connection (default: 1 up to 2,000 nodes, then 100)', positiveInt('--boards-per-connection'))
    .option('--json', 'print the report as JSON instead of a summary')
    .action(async (opts: SimCliOptions) => {
      const log = consoleLog('');
      const options = simOptionsFrom(opts, log);
      mkdirSync(options.dataDir, { recursive: true });
      const signal = { aborted: false };
      const onSigint = () => {
        if (signal.aborted) process.exit(130);
        signal.aborted = true;
        log.info('stopping: finishing the current step, then writing the report (Ctrl-C again to quit at once)');
      };
      process.on('SIGINT', onSigint);
      let lastPrint = 0;
      const run = await startSim({
        ...options,
        signal,
        onProgress: (p) => {
          if (performance.now() - lastPrint < 2000) return;
          lastPrint = performance.now();
          log.info(progressLine(p));
        },
      });
      log.info(`${run.plans.length} nodes on ${run.brokerUrl}; dashboard ${run.verifier.httpUrl}/ ; run directory ${options.dataDir}`);
      let report: SimReport;
      try {
        report = await run.done;
      } finally {
        process.off('SIGINT', onSigint);
      }
      const files = writeReport(options.dataDir, report);
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else for (const f of report.findings) log.info(f);
      log.info(`report: ${files.markdown} and ${files.json}`);
    });
}
