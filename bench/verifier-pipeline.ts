// Verifier pipeline on one core: readings/s through ingest() (strict decode -> signature verify -> duplicate/replay
// by the ledger -> time window -> ranges/jump/flat line -> SQLite insert, WAL, temp file), beside the raw
// single-signature verify rate on the same messages' Sig_structures, measured in the same process, of both native
// paths: libsodium (sodium-native, what the verifier uses) and node:crypto (OpenSSL, cached KeyObject). The pipeline
// is compared with the faster of the two. Target: pipeline >= 90 % of raw verify.
//
// The readings are signed before any clock starts: a fleet of `devices` stations, `perDevice` readings each, one
// round over the fleet per minute (bench-fleet.ts); the first round only warms up (JIT, caches) and is not timed.
// Two ledgers:
//   cold    devices registered, no history: each device's history grows to perDevice - 1 readings;
//   steady  every device already holds `historyDepthFor()` readings (6 h 16 min at 1/min), as any station running
//           for a day does: the flat-line check then reads a full window of history for every reading.
// Where the time goes, on the steady ledger, by swapping parts of the ledger for stubs (variants_steady): a no-op
// ledger; the history held in memory (read once before timing) with and without the real insert; the real history
// read without the insert; the real ledger with every quality rule emptied (and no history read).
//
// Readings in flight: as many as the service keeps (one per ingest connection), each device's in arrival order
// (IngestLanes); the ledger group-commits the verdicts recorded together. Also timed with 1 and 16 (or 64) in flight.
// Every figure has its CPU time per reading (process.cpuUsage) beside the wall time: the machine may be shared,
// and CPU time moves less with other load. The bench prints what the 90 % target leaves for everything but verify.
//
// "One core": benchVerifierPipeline() runs the measurement in a child pinned with `taskset -c 1`, so V8's GC and
// compiler threads share that core too (unpinned, they would borrow the second core and flatter the figures).
// `node dist/bench/verifier-pipeline.js [devices] [perDevice]` prints the figures.
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeSign1, sigStructure } from '../src/core/cose-sign1.js';
import { decodeReading } from '../src/core/reading.js';
import { DeviceCache } from '../src/verifier/device-cache.js';
import type { Ledger } from '../src/verifier/ledger/ledger.js';
import { SQL } from '../src/verifier/ledger/queries.js';
import { deviceParams, readingParams, verdictParams } from '../src/verifier/ledger/rows.js';
import { SqliteLedger } from '../src/verifier/ledger/sqlite-ledger.js';
import { DEFAULT_TIME_WINDOW, historyDepthFor, ingest, ingestReport, type PipelineDeps } from '../src/verifier/pipeline.js';
import { DeviceHistory } from '../src/verifier/device-history.js';
import { IngestLanes } from '../src/verifier/ingest-lanes.js';
import { DEFAULT_QUALITY_CONFIG, type QualityConfig } from '../src/verifier/quality/quality-config.js';
import { epochOf, parseRewardConfig } from '../src/verifier/rewards/epochs.js';
import type { AcceptedReadingV1, VerdictV1 } from '../src/verifier/types.js';
import { DEFAULT_REWARDS, resolveVerifierConfig } from '../src/verifier/verifier-config.js';
import { publicKeyObject } from '../hosts/node/native-signer.js';
import { createSodiumVerifier } from '../hosts/node/sodium-verifier.js';
import { benchFleet, signRounds, valuesAt, type BenchDevice, type SignedReading } from './bench-fleet.js';

const T0 = 1_798_761_600; // 2027-01-01T00:00:00Z: after the default genesis, in a daily epoch of its own
const RECEIVE_DELAY_MS = 300; // a reading arrives 0.3 s after it is signed
const REWARDS = parseRewardConfig(DEFAULT_REWARDS);
const HISTORY_DEPTH = historyDepthFor(DEFAULT_QUALITY_CONFIG, REWARDS.readingIntervalSeconds);
/** Readings in flight, as in the service: one per ingest connection (MQTT.js hands a connection one at a time). */
const IN_FLIGHT = resolveVerifierConfig().ingestConnections;
/** Another number of readings in flight to compare with. */
const OTHER_IN_FLIGHT = IN_FLIGHT === 16 ? 64 : 16;

/** Quality rules that judge nothing: every quantity is left out of every rule. */
const NO_QUALITY: QualityConfig = {
  ...DEFAULT_QUALITY_CONFIG,
  ranges: {},
  models: {},
  jump: { ...DEFAULT_QUALITY_CONFIG.jump, perMinute: {} },
  flatLine: { ...DEFAULT_QUALITY_CONFIG.flatLine, rules: {} },
};

export interface PipelineBenchOptions {
  devices?: number;
  /** Readings per device on the cold ledger; the first round over the fleet warms up and is not timed. */
  perDevice?: number;
  /** Timed rounds over the fleet on the steady ledger (after one warm-up round): fewer, as it is ~10x slower. */
  steadyRounds?: number;
}

/** What measurePipelineOnly() gives: raw verify and the pipeline on both ledgers, nothing else. */
export interface PipelineOnly {
  raw_verify: Timed & { library: string };
  pipeline: { cold: Timed & { vs_raw_verify: number }; steady: Timed & { vs_raw_verify: number } };
}

interface Input {
  topic: string;
  message: Uint8Array;
  receivedAt: number;
}

interface Timed {
  readings: number;
  seconds: number;
  readings_per_s: number;
  us_per_reading: number;
  /** CPU time (user + system) of the process per reading: what it costs, whatever else loads the machine. */
  cpu_us_per_reading: number;
}

const timed = (readings: number, ms: number, cpuMs: number): Timed => ({
  readings,
  seconds: +(ms / 1000).toFixed(2),
  readings_per_s: Math.round(readings / (ms / 1000)),
  us_per_reading: +((ms * 1000) / readings).toFixed(1),
  cpu_us_per_reading: +((cpuMs * 1000) / readings).toFixed(1),
});

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// --- ledgers

/** A ledger file with the fleet registered and `history` accepted readings per device (seq 1..history). */
async function buildLedgerFile(path: string, fleet: readonly BenchDevice[], history: number): Promise<void> {
  const created = new SqliteLedger(path);
  await created.open(); // the real schema
  await created.close();
  const db = new Database(path);
  try {
    // Setup only: no journal, no fsync, a big page cache. The file goes back to WAL mode before it is measured,
    // and the measured ledger reopens it with its own settings.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    const insertDevice = db.prepare(SQL.insertDevice);
    const insertVerdict = db.prepare(SQL.insertVerdict);
    const insertReading = db.prepare(SQL.insertReading);
    // The ledger's own statements and row mapping: rows exactly as recordVerdict would have written them.
    db.transaction(() => {
      for (const device of fleet) insertDevice.run(...deviceParams(device.record));
      const message = new Uint8Array(117);
      message[0] = 0xd2;
      for (let seq = 1; seq <= history; seq++) {
        for (const device of fleet) {
          const time = T0 + (seq - 1) * 60;
          message.set(device.deviceIdBytes, 20); // distinct bytes per (device, seq): a distinct hash
          new DataView(message.buffer).setUint32(40, seq);
          const messageHash = createHash('sha256').update(message).digest('hex');
          const receivedAt = time * 1000 + RECEIVE_DELAY_MS;
          const epoch = epochOf(time, REWARDS);
          const verdict: VerdictV1 = { v: 1, messageHash, deviceId: device.deviceId, seq, readingTime: time, receivedAt, status: 'accepted', reason: 'ok', detail: 'accepted; neighbour review pending for its time bucket', quality: 1, epoch };
          const reading: AcceptedReadingV1 = {
            deviceId: device.deviceId, seq, time, receivedAt, epoch, measurements: valuesAt(device.index, seq, time),
            backfilled: false, maintenance: false, quality: 1, messageHash, message: message.slice(),
          };
          insertVerdict.run(...verdictParams(verdict));
          insertReading.run(...readingParams(reading));
        }
      }
    })();
    db.pragma('journal_mode = WAL');
  } finally {
    db.close(); // no WAL left beside the file, so copies of the file are complete
  }
}

/** A ledger whose listed methods are replaced; everything else goes to the real one. */
function withStubs(base: Ledger, stubs: Partial<Ledger>): Ledger {
  return new Proxy(base, {
    get(target, property, receiver) {
      if (Object.hasOwn(stubs, property)) return stubs[property as keyof Ledger];
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const noopRecord: Ledger['recordVerdict'] = async (verdict) => ({ stored: 'new', verdict: { ...verdict } });

// --- measuring

/**
 * Ingest every input with up to `inFlight` readings in flight (as the service's ingest connections hand them
 * over; the ledger group-commits the verdicts recorded together). Wall and CPU time (process.cpuUsage: user +
 * system of this process, less disturbed than wall time by other load on the machine).
 */
async function runPipeline(inputs: readonly Input[], deps: PipelineDeps, reasons: Record<string, number>, inFlight: number): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++]!;
      const { verdict } = await ingest(ingestReport(input.topic, input.message, input.receivedAt), deps);
      reasons[verdict.reason] = (reasons[verdict.reason] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, worker));
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * Raw verify of the readings' Sig_structures (built beforehand): node:crypto with one KeyObject per device made
 * beforehand, or libsodium on the raw 32-byte key (it takes no key object).
 */
function rawVerify(readings: readonly SignedReading[], library: 'sodium' | 'node'): Timed {
  const keys = new Map<string, KeyObject>();
  const jobs = readings.map((r) => {
    const parts = decodeSign1(r.message);
    if (!parts.ok) throw new Error(`bench: a signed reading does not decode: ${parts.detail}`);
    let key = keys.get(r.device.deviceId);
    if (!key) keys.set(r.device.deviceId, (key = publicKeyObject(r.device.signer.publicKey)));
    return { data: sigStructure(parts.parts.protectedBytes, parts.parts.payload), key, publicKey: r.device.signer.publicKey, signature: parts.parts.signature };
  });
  const sodium = createSodiumVerifier();
  const once = library === 'node' ? (job: (typeof jobs)[number]) => nodeVerify(null, job.data, job.key, job.signature) : (job: (typeof jobs)[number]) => sodium(job.publicKey, job.data, job.signature);
  for (let i = 0; i < Math.min(1000, jobs.length); i++) once(jobs[i]!); // warm up
  const cpu = cpuNow();
  const start = performance.now();
  let ok = 0;
  for (const job of jobs) if (once(job)) ok++;
  const ms = performance.now() - start;
  const cpuMs = cpuNow() - cpu;
  if (ok !== jobs.length) throw new Error(`bench: ${jobs.length - ok} signatures did not verify`);
  return timed(jobs.length, ms, cpuMs);
}

/** Hash, strict decode of envelope and payload, Sig_structure: everything the pipeline does to bytes but verify. */
function decodeOnly(inputs: readonly Input[]): Timed {
  const cpu = cpuNow();
  const start = performance.now();
  for (const input of inputs) {
    const report = ingestReport(input.topic, input.message, input.receivedAt);
    const envelope = decodeSign1(report.message);
    if (!envelope.ok || !decodeReading(envelope.parts.payload).ok) throw new Error('bench: a reading does not decode');
    sigStructure(envelope.parts.protectedBytes, envelope.parts.payload);
  }
  return timed(inputs.length, performance.now() - start, cpuNow() - cpu);
}

/** Everything: raw verify, the pipeline, readings in flight, the writer thread on and off, the variants. */
export async function measureVerifierPipeline(options: PipelineBenchOptions = {}) {
  return measureAll(options, false);
}

/** Raw verify and the pipeline on both ledgers only (the run on two cores). */
export async function measurePipelineOnly(options: PipelineBenchOptions = {}): Promise<PipelineOnly> {
  // measureAll returns early with a PipelineOnly when asked to (typed as never there, to keep its full type).
  return (await measureAll(options, true)) as unknown as PipelineOnly;
}

async function measureAll(options: PipelineBenchOptions, pipelineOnly: boolean) {
  const devices = options.devices ?? 1000;
  const perDevice = options.perDevice ?? 21;
  const steadyRounds = options.steadyRounds ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'fp-bench-pipeline-'));
  try {
    const fleet = benchFleet(devices, 'pipeline');
    const signStart = performance.now();
    // Cold: seq 1.. from T0. Steady: seq after the preloaded history, the minute after it.
    const coldReadings = signRounds(fleet, perDevice, 1, T0);
    const steadyReadings = signRounds(fleet, 1 + steadyRounds, HISTORY_DEPTH + 1, T0 + HISTORY_DEPTH * 60);
    const signSeconds = (performance.now() - signStart) / 1000;
    const asInputs = (rs: SignedReading[]): Input[] => rs.map((r) => ({ topic: r.topic, message: r.message, receivedAt: r.time * 1000 + RECEIVE_DELAY_MS }));
    const warm = devices; // the first round
    const cold = asInputs(coldReadings);
    const steady = asInputs(steadyReadings);

    const setupStart = performance.now();
    const coldFile = join(dir, 'cold.sqlite');
    const steadyFile = join(dir, 'steady.sqlite');
    await buildLedgerFile(coldFile, fleet, 0);
    await buildLedgerFile(steadyFile, fleet, HISTORY_DEPTH);
    const setupSeconds = (performance.now() - setupStart) / 1000;

    const depsFor = (ledger: Ledger, quality: QualityConfig = DEFAULT_QUALITY_CONFIG, historyDepth = HISTORY_DEPTH): PipelineDeps => ({
      ledger,
      verify: createSodiumVerifier(), // as the service verifies
      devices: new DeviceCache(ledger),
      quality,
      time: DEFAULT_TIME_WINDOW,
      epochOf: (t) => epochOf(t, REWARDS),
      historyDepth,
      // as the service runs it (verifier-service.ts): each device's history read once, then kept in memory
      ...(historyDepth > 0 ? { history: new DeviceHistory(ledger, { depth: historyDepth }) } : {}),
      lanes: new IngestLanes(),
    });

    let copies = 0;
    const sodiumSamples: Timed[] = [];
    /** Ingest the warm-up round untimed, then time the rest, on a fresh copy of `file`. */
    const measure = async (file: string, inputs: Input[], shape: (real: SqliteLedger) => { ledger: Ledger; quality?: QualityConfig; historyDepth?: number } | Promise<{ ledger: Ledger; quality?: QualityConfig; historyDepth?: number }>, inFlight = IN_FLIGHT, writerThread = true) => {
      const path = join(dir, `run-${copies++}.sqlite`);
      copyFileSync(file, path);
      const real = new SqliteLedger(path, { writerThread });
      await real.open();
      try {
        const shaped = await shape(real);
        const deps = depsFor(shaped.ledger, shaped.quality, shaped.historyDepth);
        const reasons: Record<string, number> = {};
        await runPipeline(inputs.slice(0, warm), deps, {}, inFlight);
        const { ms, cpuMs } = await runPipeline(inputs.slice(warm), deps, reasons, inFlight);
        // The machine's speed drifts (it is shared): raw verify is sampled after every run too, and the ratio uses
        // the fastest sample, the hardest one to meet.
        sodiumSamples.push(rawVerify(timedCold.slice(0, 5000), 'sodium'));
        return { ...timed(inputs.length - warm, ms, cpuMs), in_flight: inFlight, verdicts: reasons };
      } finally {
        await real.close();
        rmSync(path, { force: true });
        rmSync(`${path}-wal`, { force: true });
        rmSync(`${path}-shm`, { force: true });
      }
    };

    const timedCold = coldReadings.slice(warm);
    const verifyBefore = rawVerify(timedCold, 'sodium');
    const nodeBefore = rawVerify(timedCold, 'node');
    const full = await measure(coldFile, cold, (real) => ({ ledger: real }));
    const steadyFull = await measure(steadyFile, steady, (real) => ({ ledger: real }));
    if (pipelineOnly) {
      const verifyAfter = rawVerify(timedCold, 'sodium');
      const verify = [verifyBefore, verifyAfter, ...sodiumSamples].reduce((a, b) => (b.readings_per_s > a.readings_per_s ? b : a));
      return {
        raw_verify: { ...verify, library: 'libsodium (sodium-native)' },
        pipeline: {
          cold: { ...full, vs_raw_verify: +(full.readings_per_s / verify.readings_per_s).toFixed(3) },
          steady: { ...steadyFull, vs_raw_verify: +(steadyFull.readings_per_s / verify.readings_per_s).toFixed(3) },
        },
      } satisfies PipelineOnly as never;
    }
    // the insert in the event loop's own connection instead of the writer thread
    const steadyInProcess = await measure(steadyFile, steady, (real) => ({ ledger: real }), IN_FLIGHT, false);
    // group commit: one reading in flight (a commit per verdict) and many
    const steadyOne = await measure(steadyFile, steady, (real) => ({ ledger: real }), 1);
    const steadyMany = await measure(steadyFile, steady, (real) => ({ ledger: real }), OTHER_IN_FLIGHT);
    const noLedger = await measure(steadyFile, steady, (real) => ({ ledger: withStubs(real, { recordVerdict: noopRecord, recentReadings: async () => [] }) }));
    // The same history recentReadings returns, read once before the clock starts.
    const heldHistory = async (real: SqliteLedger) => {
      const first = steadyReadings[0]!.time;
      const held = new Map<string, AcceptedReadingV1[]>();
      for (const d of fleet) held.set(d.deviceId, await real.recentReadings(d.deviceId, first, HISTORY_DEPTH));
      return async (deviceId: string) => held.get(deviceId)!;
    };
    const historyInMemory = await measure(steadyFile, steady, async (real) => ({ ledger: withStubs(real, { recordVerdict: noopRecord, recentReadings: await heldHistory(real) }) }));
    const historyInMemoryInsert = await measure(steadyFile, steady, async (real) => ({ ledger: withStubs(real, { recentReadings: await heldHistory(real) }) }));
    const historyRead = await measure(steadyFile, steady, (real) => ({ ledger: withStubs(real, { recordVerdict: noopRecord }) }));
    const noQuality = await measure(steadyFile, steady, (real) => ({ ledger: real, quality: NO_QUALITY, historyDepth: 0 }));
    const decode = decodeOnly(cold.slice(warm));
    const verifyAfter = rawVerify(timedCold, 'sodium');
    const nodeAfter = rawVerify(timedCold, 'node');
    // The fastest verify run of either library: the ratio is then the harder one to meet.
    const sodiumRuns = [verifyBefore, verifyAfter, ...sodiumSamples];
    const runs = [...sodiumRuns, nodeBefore, nodeAfter];
    const verify = runs.reduce((a, b) => (b.readings_per_s > a.readings_per_s ? b : a));
    const verifyLibrary = sodiumRuns.includes(verify) ? 'libsodium (sodium-native)' : 'node:crypto (cached KeyObject)';
    const sodiumCpuUs = Math.min(...sodiumRuns.map((r) => r.cpu_us_per_reading));

    // CPU time per reading (process.cpuUsage) rather than wall time: other load on the machine moves it less.
    // The insert's disk waits (the checkpoint's fsync) are wall time only: record_verdict_sqlite_insert_wall.
    const us = (t: Timed) => t.cpu_us_per_reading;
    const breakdown = {
      signature_verify: sodiumCpuUs, // libsodium, as the pipeline verifies
      hash_and_decode: us(decode),
      registry_cache_time_window_ranges_and_objects: +(us(noLedger) - us(verify) - us(decode)).toFixed(1),
      jump_and_flat_line_over_full_history: +(us(historyInMemory) - us(noLedger)).toFixed(1),
      recent_readings_sql_and_row_mapping: +(us(historyRead) - us(historyInMemory)).toFixed(1),
      record_verdict_sqlite_insert: +(us(historyInMemoryInsert) - us(historyInMemory)).toFixed(1),
      record_verdict_sqlite_insert_wall: +(historyInMemoryInsert.us_per_reading - historyInMemory.us_per_reading).toFixed(1),
      total_measured: us(steadyFull),
    };
    // Why the target is or is not within reach on one core: at 90 % of raw verify, a reading may cost verify / 0.9,
    // which leaves verify / 9 for everything else. The pipeline whose insert is a no-op (history held in memory as
    // the service holds it) is the ceiling of any ledger.
    const verifyUs = verify.cpu_us_per_reading;
    const ceiling = {
      budget_cpu_us_per_reading_at_target: +(verifyUs / 0.9).toFixed(1),
      budget_cpu_us_for_all_but_verify: +(verifyUs / 0.9 - verifyUs).toFixed(1),
      cpu_us_per_reading_but_verify: { noop_insert: +(us(historyInMemory) - verifyUs).toFixed(1), sqlite: +(us(steadyFull) - verifyUs).toFixed(1) },
      noop_insert_vs_raw_verify: +(historyInMemory.readings_per_s / verify.readings_per_s).toFixed(3),
      noop_insert_vs_raw_verify_by_cpu: +(verifyUs / historyInMemory.cpu_us_per_reading).toFixed(3),
      sqlite_vs_raw_verify_by_cpu: +(verifyUs / steadyFull.cpu_us_per_reading).toFixed(3),
    };
    return {
      devices,
      readings_signed: coldReadings.length + steadyReadings.length,
      readings_timed: { cold: cold.length - warm, steady: steady.length - warm },
      warm_up: `${warm} readings (the first round over the fleet), not timed`,
      signing_seconds: +signSeconds.toFixed(1),
      ledger: 'SQLite file in a temp dir, as SqliteLedger opens it (journal_mode=WAL, synchronous=NORMAL); a fresh copy per run',
      history_depth: HISTORY_DEPTH,
      setup_seconds: +setupSeconds.toFixed(1),
      steady_ledger_mib: Math.round(statSync(steadyFile).size / 2 ** 20),
      raw_verify: {
        ...verify,
        library: verifyLibrary,
        runs_readings_per_s: { sodium: sodiumRuns.map((r) => r.readings_per_s), node_crypto: [nodeBefore.readings_per_s, nodeAfter.readings_per_s] },
        cpu_us_per_verify: { sodium: sodiumCpuUs, node_crypto: Math.min(nodeBefore.cpu_us_per_reading, nodeAfter.cpu_us_per_reading) },
      },
      pipeline: {
        cold: { ...full, vs_raw_verify: +(full.readings_per_s / verify.readings_per_s).toFixed(3) },
        steady: { ...steadyFull, vs_raw_verify: +(steadyFull.readings_per_s / verify.readings_per_s).toFixed(3) },
      },
      in_flight_steady: { [String(IN_FLIGHT)]: steadyFull, '1': steadyOne, [String(OTHER_IN_FLIGHT)]: steadyMany },
      writer_thread_steady: { on: steadyFull, off_insert_in_event_loop: steadyInProcess },
      variants_steady: {
        ledger_noop_stub: noLedger,
        history_in_memory_no_insert: historyInMemory,
        history_in_memory_real_insert: historyInMemoryInsert,
        real_history_read_no_insert: historyRead,
        without_quality_checks: noQuality,
        hash_and_decode_only: decode,
      },
      breakdown_cpu_us_per_reading_steady: breakdown,
      ceiling,
      target_vs_raw_verify: 0.9,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type PipelineBenchResult = Awaited<ReturnType<typeof measureVerifierPipeline>> & {
  pinning: string;
  /** The pipeline with two cores: the writer thread (and V8's helpers) on the second one. */
  two_cores?: PipelineOnly & { pinning: string };
};

/** Run a measurement in a child process under `taskset -c <cores>`. */
async function pinnedChild<T>(cores: string, mode: 'full' | 'pipeline', options: PipelineBenchOptions): Promise<T> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn('taskset', ['-c', cores, process.execPath, script, `--child-${mode}`, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench: the pipeline child on cores ${cores} exited with ${code}`);
  return JSON.parse(out) as T;
}

/**
 * The measurement in a child process pinned to one core (taskset), then the pipeline alone in a child on two
 * cores, or everything here when taskset is missing.
 */
export async function benchVerifierPipeline(options: PipelineBenchOptions = {}): Promise<PipelineBenchResult> {
  let taskset = true;
  try {
    execFileSync('taskset', ['-c', '0,1', 'true'], { stdio: 'ignore' });
  } catch {
    taskset = false;
  }
  if (!taskset) return { ...(await measureVerifierPipeline(options)), pinning: 'none (taskset unavailable, or fewer than 2 cores): threads may use any core' };
  const one = await pinnedChild<Awaited<ReturnType<typeof measureVerifierPipeline>>>('1', 'full', options);
  const two = await pinnedChild<PipelineOnly>('0,1', 'pipeline', options);
  return { ...one, pinning: 'one core: child process under taskset -c 1 (the writer thread shares it)', two_cores: { ...two, pinning: 'two cores: child process under taskset -c 0,1' } };
}

export function formatVerifierPipeline(r: PipelineBenchResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const c = r.ceiling;
  const lines = [
    `${r.devices} devices; ${r.pinning}; ${r.pipeline.cold.in_flight} readings in flight (one per ingest connection, as the service runs)`,
    `raw verify, same messages: libsodium ${Math.max(...r.raw_verify.runs_readings_per_s.sodium)}/s (CPU ${r.raw_verify.cpu_us_per_verify.sodium} us), ` +
      `node:crypto ${Math.max(...r.raw_verify.runs_readings_per_s.node_crypto)}/s (CPU ${r.raw_verify.cpu_us_per_verify.node_crypto} us); the pipeline verifies with libsodium and is compared with the faster: ${r.raw_verify.library} ${r.raw_verify.readings_per_s}/s`,
    `pipeline, cold ledger (history grows to ${r.readings_timed.cold / r.devices} readings per device), ${r.readings_timed.cold} readings: ` +
      `${r.pipeline.cold.readings_per_s}/s = ${pct(r.pipeline.cold.vs_raw_verify)} of raw verify (target >= ${pct(r.target_vs_raw_verify)}); CPU ${r.pipeline.cold.cpu_us_per_reading} us per reading`,
    `pipeline, steady ledger (${r.history_depth} readings of history per device, ${r.steady_ledger_mib} MiB), ${r.readings_timed.steady} readings: ` +
      `${r.pipeline.steady.readings_per_s}/s = ${pct(r.pipeline.steady.vs_raw_verify)} of raw verify; CPU ${r.pipeline.steady.cpu_us_per_reading} us per reading`,
    `readings in flight (steady ledger; the verdicts in flight together share a commit):`,
    ...Object.entries(r.in_flight_steady).map(([n, v]) => `  ${n.padStart(3)} in flight: ${String(v.readings_per_s).padStart(6)}/s, CPU ${v.cpu_us_per_reading} us per reading`),
    `writer thread (steady ledger, one core): on ${r.writer_thread_steady.on.readings_per_s}/s (CPU ${r.writer_thread_steady.on.cpu_us_per_reading} us), ` +
      `off, insert in the event loop ${r.writer_thread_steady.off_insert_in_event_loop.readings_per_s}/s (CPU ${r.writer_thread_steady.off_insert_in_event_loop.cpu_us_per_reading} us)`,
    ...(r.two_cores
      ? [
          `two cores (${r.two_cores.pinning}): raw verify ${r.two_cores.raw_verify.readings_per_s}/s; pipeline cold ${r.two_cores.pipeline.cold.readings_per_s}/s = ${pct(r.two_cores.pipeline.cold.vs_raw_verify)}, ` +
            `steady ${r.two_cores.pipeline.steady.readings_per_s}/s = ${pct(r.two_cores.pipeline.steady.vs_raw_verify)} of raw verify (one core's rate)`,
        ]
      : []),
    `the target on one core: 90 % of raw verify leaves ${c.budget_cpu_us_for_all_but_verify} us of CPU per reading for everything but verify; ` +
      `measured ${c.cpu_us_per_reading_but_verify.noop_insert} us with a no-op insert and ${c.cpu_us_per_reading_but_verify.sqlite} us with SQLite`,
    `  ceiling with a no-op insert: ${pct(c.noop_insert_vs_raw_verify)} of raw verify (by CPU ${pct(c.noop_insert_vs_raw_verify_by_cpu)}); with SQLite by CPU ${pct(c.sqlite_vs_raw_verify_by_cpu)}`,
    'where the CPU goes (steady ledger, us per reading, from the variants below):',
  ];
  for (const [k, v] of Object.entries(r.breakdown_cpu_us_per_reading_steady)) lines.push(`  ${k.padEnd(48)} ${String(v).padStart(8)}`);
  lines.push('variants (steady ledger):');
  for (const [k, v] of Object.entries(r.variants_steady)) lines.push(`  ${k.padEnd(48)} ${String(v.readings_per_s).padStart(8)}/s  CPU ${String(v.cpu_us_per_reading).padStart(6)} us`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--child-full') {
    process.stdout.write(JSON.stringify(await measureVerifierPipeline(JSON.parse(process.argv[3] ?? '{}'))));
  } else if (process.argv[2] === '--child-pipeline') {
    process.stdout.write(JSON.stringify(await measurePipelineOnly(JSON.parse(process.argv[3] ?? '{}'))));
  } else {
    const [devices, perDevice] = process.argv.slice(2).map(Number);
    const result = await benchVerifierPipeline({ ...(devices ? { devices } : {}), ...(perDevice ? { perDevice } : {}) });
    console.log(formatVerifierPipeline(result));
    console.log(JSON.stringify(result, null, 2));
  }
}
