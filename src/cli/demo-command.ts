// `fieldproof demo` (npm start): the whole system on one machine in real time. An embedded broker, the verifier
// on an embedded SQLite ledger, a simulated fleet (about 200 real node cores, weather and air quality, with a
// share of faulty and dishonest nodes), epochs of two minutes settled as they end, a progress line in the
// terminal and the dashboard. Everything lives in one data directory; starting again resumes from it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FieldproofError } from '../core/errors.js';
import { parseMix } from '../sim/profiles.js';
import { writeReport } from '../sim/report.js';
import { startSim, type SimRun } from '../sim/run-sim.js';
import { consoleLog } from './console-log.js';
import { parseDuration, parseRegion, progressLine } from './sim-command.js';

interface DemoState {
  v: 1;
  seed: number;
  nodes: number;
  intervalS: number;
  epochS: number;
  genesis: number;
}

/**
 * The demo's fixed parameters, kept in the data directory so a restart resumes the same fleet and epochs. The
 * first run puts an epoch boundary 45 s after its start, so the first settlement shows within a minute.
 */
export function demoState(dataDir: string, wanted: { nodes: number; intervalS: number; epochS: number; seed: number }, nowS: number): DemoState {
  const path = join(dataDir, 'demo.json');
  if (existsSync(path)) {
    let stored: DemoState;
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as DemoState;
    } catch (error) {
      throw new FieldproofError('FP_E_CONFIG_INVALID', `${path}: ${(error as Error).message}; move it aside to start a new demo`);
    }
    if (stored?.v !== 1 || ![stored.seed, stored.nodes, stored.intervalS, stored.epochS, stored.genesis].every(Number.isSafeInteger)) {
      throw new FieldproofError('FP_E_CONFIG_INVALID', `${path} is not a demo state file; move it aside to start a new demo`);
    }
    return stored;
  }
  const genesis = nowS + 45 - wanted.epochS * Math.ceil((nowS + 45 - 1_767_225_600) / wanted.epochS);
  const state: DemoState = { v: 1, ...wanted, genesis };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, JSON.stringify(state, null, 2) + '\n');
  return state;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole system in real time: embedded broker, verifier, ~200 simulated nodes with attackers, dashboard (npm start)')
    .option('-n, --nodes <count>', 'simulated nodes (first run only; a restart resumes the stored fleet)', Number, 200)
    .option('-i, --interval <seconds>', 'sampling interval (first run only)', Number, 5)
    .option('--epoch-minutes <m>', 'reward epoch length (first run only)', Number, 2)
    .option('-d, --data-dir <dir>', 'where the ledger and the nodes\' keys, sequence numbers and outboxes live (kept between runs)', '.fieldproof/demo')
    .option('--region <lat,lon,km>', 'centre and radius of the fleet', '47.37,8.54,25')
    .option('-p, --port <port>', 'HTTP port of the dashboard (the next free one is taken if busy)', Number, 8080)
    .option('--broker-port <port>', 'embedded broker port (the next free one is taken if busy)', Number, 1883)
    .option('--duration <time>', 'stop after this long, e.g. 90s or 10m (default: until Ctrl-C)')
    .action(async (opts: { nodes: number; interval: number; epochMinutes: number; dataDir: string; region: string; port: number; brokerPort: number; duration?: string }) => {
      if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 20_000) throw new RangeError('--nodes: an integer from 1 to 20000');
      if (!Number.isInteger(opts.interval) || opts.interval < 1) throw new RangeError('--interval: a whole number of seconds, at least 1');
      const epochS = Math.round(opts.epochMinutes * 60);
      if (epochS < opts.interval || epochS % opts.interval !== 0) throw new RangeError('--epoch-minutes: a whole number of --interval periods');
      const log = consoleLog('');
      const state = demoState(opts.dataDir, { nodes: opts.nodes, intervalS: opts.interval, epochS, seed: 1 }, Math.floor(Date.now() / 1000));
      const signal = { aborted: false };
      let lastPrint = 0;
      let run: SimRun | undefined;
      for (let port = opts.port; !run; port++) {
        try {
          run = await startSim({
            nodes: state.nodes,
            seed: state.seed,
            region: parseRegion(opts.region),
            mix: parseMix('default', state.nodes),
            durationMs: opts.duration ? parseDuration(opts.duration) : Infinity,
            accel: 1,
            intervalS: state.intervalS,
            epochS: state.epochS,
            genesis: state.genesis,
            graceS: Math.min(10, state.epochS),
            brokerPort: opts.brokerPort,
            dataDir: opts.dataDir,
            httpPort: port,
            brokerOutage: false,
            storage: 'files',
            log,
            signal,
            onProgress: (p) => {
              if (performance.now() - lastPrint < 5000) return;
              lastPrint = performance.now();
              log.info(progressLine(p));
            },
          });
          if (port !== opts.port) log.info(`HTTP port ${opts.port} is in use; the dashboard took ${port} instead`);
        } catch (error) {
          if ((error as FieldproofError).code !== 'FP_E_PORT_IN_USE' || port >= opts.port + 20 || (error as Error).message.includes('embedded broker')) throw error;
        }
      }
      log.info(`${run.plans.length} simulated nodes publishing to ${run.brokerUrl}; data in ${opts.dataDir}`);
      log.info(`dashboard: ${run.verifier.httpUrl}/   (Ctrl-C stops everything; starting again resumes)`);
      const stop = () => {
        if (signal.aborted) process.exit(130);
        signal.aborted = true;
        log.info('stopping...');
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        const report = await run.done;
        const files = writeReport(opts.dataDir, report);
        for (const f of report.findings) log.info(f);
        log.info(`stopped; report in ${files.markdown}. Keys, sequence numbers, outboxes and the ledger are kept for the next run`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
