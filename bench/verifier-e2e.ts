// Verifier end to end: pre-signed readings of many registered devices published to the real Mosquitto
// (127.0.0.1:1883), judged by verifier processes (separate OS processes, each startVerifier() with an MQTT 5
// shared subscription) into one PostgreSQL ledger; readings/s from the first publish to the last verdict
// recorded, with 1 and with 2 verifier processes. Target: 2 processes >= 1.8 x 1 process.
//
// Each run is fresh: new device keys (so new device ids and topics), a new ledger schema (dropped after) and a
// new shared-subscription group (config sharedGroup: see fixtures/e2e-verifier.ts). Both runs use
// PostgreSQL, as two processes cannot share one SQLite file well, so they compare fairly.
//
// Publishing: one MQTT 5 client in this process, QoS 1, at most `window` readings published and not yet judged:
// Mosquitto queues at most max_queued_messages (default 1000) QoS 1 messages per session and drops the rest, so an
// unpaced publisher would measure the broker's drop rate. Progress is the verdict messages the verifiers publish
// (QoS 0, counted by message hash for this run's readings only), with the ledger's count polled as a backstop.
// Note: any other verifier on the broker (a test run's) receives this run's readings too and judges them
// unknown_device in its own ledger; run the bench when no tests use the broker.
// The first round over the fleet (one reading per device) is published and judged before the clock starts.
// After each run the ledger is checked: every reading exactly one verdict (by message hash), and any loss is
// reported. CPU seconds of every party (verifiers, PostgreSQL, Mosquitto, this process) are read from /proc.
//
// `node dist/bench/verifier-e2e.js [readings] [devices]` prints the figures.
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PgLedger } from '../src/verifier/ledger/pg-ledger.js';
import { toHex } from '../src/core/bytes.js';
import { decodeVerdictMessage } from '../src/verifier/verdict-message.js';
import { MOSQUITTO, POSTGRES, reachable } from '../test/helpers/services.js';
import { benchFleet, signRounds } from './bench-fleet.js';
import type { E2eVerifierArgs, E2eVerifierReport } from './fixtures/e2e-verifier.js';

export interface E2eBenchOptions {
  readings?: number;
  devices?: number;
  /** Most readings published and not yet judged. */
  window?: number;
  /** Verifier process counts to run, in order; the gain is last / first. */
  processes?: number[];
  /** Rounds over `processes` (alternating, so a burst of load from other processes hits both alike); best of each. */
  repeat?: number;
  /** Give up when no verdict arrives for this long, ms. */
  stallMs?: number;
}

const VERIFIER = fileURLToPath(new URL('./fixtures/e2e-verifier.js', import.meta.url));

// --- CPU accounting from /proc (Linux)

let ticksPerSecond = 100; // USER_HZ: 100 on every Linux ABI Node supports

function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of proc(5))
  } catch {
    return undefined;
  }
}

/** Ticks of every process whose command name starts with one of `names`. */
function ticksByName(names: readonly string[]): Map<number, { name: string; ticks: number }> {
  const out = new Map<number, { name: string; ticks: number }>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const name = names.find((n) => comm.startsWith(n));
      const ticks = name ? processTicks(Number(entry)) : undefined;
      if (name && ticks !== undefined) out.set(Number(entry), { name, ticks });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const n = values.map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: total - n[3]! - (n[4] ?? 0), total }; // minus idle and iowait
  } catch {
    return undefined;
  }
}

function cpuSnapshot(verifiers: readonly ChildProcess[]) {
  return {
    services: ticksByName(['postgres', 'mosquitto']),
    verifiers: verifiers.map((c) => processTicks(c.pid!) ?? 0),
    self: process.cpuUsage(),
    machine: machineTicks(),
  };
}

function cpuBetween(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>, seconds: number, cores: number) {
  const s = (ticks: number) => +(ticks / ticksPerSecond).toFixed(2);
  const byName: Record<string, number> = { postgres: 0, mosquitto: 0 };
  for (const [pid, end] of b.services) byName[end.name] = (byName[end.name] ?? 0) + end.ticks - (a.services.get(pid)?.ticks ?? 0);
  const verifiers = b.verifiers.map((t, i) => s(t - (a.verifiers[i] ?? 0)));
  const self = process.cpuUsage(a.self);
  const machine = a.machine && b.machine ? (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total) : undefined;
  const publisher = +((self.user + self.system) / 1e6).toFixed(2);
  const postgres = s(byName.postgres!);
  const mosquitto = s(byName.mosquitto!);
  const ours = verifiers.reduce((x, y) => x + y, 0) + publisher + postgres + mosquitto;
  return {
    cpu_seconds: { verifiers, postgres, mosquitto, publisher_and_watcher: publisher },
    machine_busy: machine === undefined ? null : `${(machine * 100).toFixed(0)} % of ${cores} cores`,
    // Busy time on the machine not accounted for by the parties above (other processes, kernel threads).
    other_cpu_seconds: machine === undefined ? null : +(machine * cores * seconds - ours).toFixed(2),
  };
}

/**
 * CPU per reading of every party, and the most this run's setup could do on this machine at that cost: no more
 * than its cores can carry (the broker, the ledger and the publisher run on the same cores as the verifiers),
 * and no more than its verifier processes can carry on one core each.
 */
function cpuPerReading(cpu: { verifiers: number[]; postgres: number; mosquitto: number; publisher_and_watcher: number }, readings: number, cores: number) {
  const us = (seconds: number) => +((seconds * 1e6) / readings).toFixed(1);
  const verifiers = us(cpu.verifiers.reduce((a, b) => a + b, 0));
  const total = +(verifiers + us(cpu.postgres) + us(cpu.mosquitto) + us(cpu.publisher_and_watcher)).toFixed(1);
  const byCores = total > 0 ? (cores * 1e6) / total : Infinity;
  const byVerifiers = verifiers > 0 ? (Math.min(cpu.verifiers.length, cores) * 1e6) / verifiers : Infinity;
  const ceiling = Math.min(byCores, byVerifiers);
  return {
    cpu_us_per_reading: { verifiers, postgres: us(cpu.postgres), mosquitto: us(cpu.mosquitto), publisher_and_watcher: us(cpu.publisher_and_watcher), total },
    cpu_ceiling_readings_per_s: Number.isFinite(ceiling) ? Math.round(ceiling) : null,
    cpu_ceiling_bound_by: byCores <= byVerifiers ? 'all cores' : 'verifier processes (one core each)',
  };
}

// --- one run

async function runOnce(processes: number, options: Required<Omit<E2eBenchOptions, 'processes' | 'repeat'>>, cores: number) {
  const tag = `${process.pid}_${Date.now().toString(36)}_${processes}`;
  const schema = `fp_bench_e2e_${tag}`;
  const group = `fp-bench-${tag.replace(/_/g, '-')}`;
  const perDevice = Math.ceil(options.readings / options.devices) + 1; // + the warm-up round
  const fleet = benchFleet(options.devices, `e2e/${tag}`);
  const ours = new Set(fleet.map((d) => d.deviceId));
  // Dated from perDevice minutes ago to a minute ago: inside the 15 min live window when they arrive.
  const firstTime = Math.floor(Date.now() / 1000) - 60 * perDevice;
  // The first round over the fleet warms the verifiers up and is not timed: each process reads a device's record,
  // history and key once, on its first reading of that device, which in a short run would weigh on a second
  // process (as many first readings again) as it never does on a verifier that runs for days.
  const warm = fleet.length;
  const readings = signRounds(fleet, perDevice, 1, firstTime).slice(0, warm + options.readings);
  const messages = readings.map((r) => ({ topic: r.topic, payload: Buffer.from(r.message) }));
  const hashes = new Set(readings.map((r) => createHash('sha256').update(r.message).digest('hex')));

  const ledger = new PgLedger(POSTGRES.url, { schema });
  const db = new pg.Client({ connectionString: POSTGRES.url, options: `-c search_path=${schema}` });
  const children: ChildProcess[] = [];
  let watcher: MqttClient | undefined;
  let publisher: MqttClient | undefined;
  try {
    await ledger.open(); // creates the schema and tables
    await db.connect();
    for (let i = 0; i < fleet.length; i += 50) await Promise.all(fleet.slice(i, i + 50).map((d) => ledger.putDevice(d.record)));
    await ledger.close();

    const reports: Promise<E2eVerifierReport>[] = [];
    const ready: Promise<{ subscribed: string }>[] = [];
    for (let i = 0; i < processes; i++) {
      const args: E2eVerifierArgs = { broker: MOSQUITTO.url, database: POSTGRES.url, schema, group, clientId: `${group}-v${i}` };
      const child = fork(VERIFIER, [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bench: verifier ${i} exited early (${code})`))));
      ready.push(Promise.race([new Promise<{ subscribed: string }>((resolve) => child.once('message', (m) => resolve(m as { subscribed: string }))), exited]));
      reports.push(
        new Promise<E2eVerifierReport>((resolve, reject) => {
          child.on('message', (m) => (m as E2eVerifierReport).stopped && resolve(m as E2eVerifierReport));
          child.once('exit', () => reject(new Error(`bench: verifier ${i} exited without a report`)));
        }),
      );
      reports[i]!.catch(() => {}); // looked at after 'stop' only
    }
    const subscribed = (await Promise.all(ready)).map((r) => r.subscribed);

    // Progress: verdicts of this run's readings, by message hash. Every verifier on the broker receives every
    // reading (the readings filter is fixed by the protocol), so a test run's verifier may judge ours too: it does
    // not know our devices and says unknown_device, on our devices' verdict topics. Those are not progress.
    const judgedHashes = new Set<string>();
    let duplicates = 0;
    let othersVerdicts = 0;
    let ledgerCount = 0;
    let onProgress = () => {};
    watcher = await mqtt.connectAsync(MOSQUITTO.url, { clientId: `${group}-watch`, clean: true, protocolVersion: 5, reconnectPeriod: 0 });
    watcher.on('message', (topic, payload) => {
      if (!ours.has(topic.split('/')[3]!)) return; // another run's or a test's device
      const verdict = decodeVerdictMessage(new Uint8Array(payload));
      const hash = verdict?.hash instanceof Uint8Array ? toHex(verdict.hash) : '';
      if (!hashes.has(hash) || verdict!.reason === 'unknown_device') othersVerdicts++;
      else if (verdict!.reason === 'duplicate') duplicates++;
      else judgedHashes.add(hash);
      onProgress();
    });
    await watcher.subscribeAsync('fieldproof/v1/nodes/+/verdicts', { qos: 0 });
    // The ledger's count is the backstop when a QoS 0 verdict message is lost; other runs' readings that reach
    // our verifiers are judged unknown_device (device_id null when they do not even decode), so they are left out.
    const judged = () => Math.max(judgedHashes.size, ledgerCount);
    const poller = setInterval(() => {
      db.query("SELECT count(*)::int AS n FROM verdicts WHERE device_id IS NOT NULL AND reason <> 'unknown_device'").then((r) => {
        ledgerCount = r.rows[0].n;
        onProgress();
      }, () => {});
    }, 500);

    publisher = await mqtt.connectAsync(MOSQUITTO.url, { clientId: `${group}-pub`, clean: true, protocolVersion: 5, reconnectPeriod: 0 });
    let before: ReturnType<typeof cpuSnapshot> | undefined;
    let start = 0;
    let lastProgress = performance.now();
    let end = 0;
    let target = warm; // publish the warm-up round, then (once it is judged) start the clock and publish the rest
    const done = new Promise<void>((resolve) => {
      let seen = 0;
      let published = 0;
      const pump = () => {
        const n = judged();
        if (n > seen) {
          seen = n;
          lastProgress = performance.now();
        }
        if (target === warm && n >= warm) {
          before = cpuSnapshot(children);
          start = performance.now();
          target = messages.length;
        }
        if (n >= messages.length && !end) {
          end = performance.now();
          return resolve();
        }
        while (published < target && published - n < options.window) {
          const m = messages[published++]!;
          publisher!.publish(m.topic, m.payload, { qos: 1 });
        }
      };
      onProgress = pump;
      pump();
    });
    const stalled = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (end || performance.now() - lastProgress > options.stallMs) {
          clearInterval(check);
          resolve();
        }
      }, 200);
    });
    await Promise.race([done, stalled]);
    const finished = end || performance.now();
    const after = cpuSnapshot(children);
    if (!before) {
      before = after; // stalled in the warm-up round: nothing timed
      start = finished;
    }
    clearInterval(poller);
    const seconds = (finished - start) / 1000;

    for (const child of children) child.send('stop');
    const perProcess = await Promise.all(reports);

    // The ledger's account: one verdict per reading, by message hash.
    const stored = (await db.query<{ message_hash: string }>('SELECT message_hash FROM verdicts')).rows.map((r) => r.message_hash);
    const storedSet = new Set(stored);
    const missing = [...hashes].filter((h) => !storedSet.has(h)).length;
    const foreign = stored.filter((h) => !hashes.has(h)).length;
    const reasons = Object.fromEntries((await db.query<{ reason: string; n: number }>('SELECT reason, count(*)::int AS n FROM verdicts GROUP BY reason ORDER BY reason')).rows.map((r) => [r.reason, r.n]));
    const readingRows = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings')).rows[0]!.n;
    const complete = end > 0;
    return {
      verifier_processes: processes,
      readings: messages.length - warm,
      warm_up_readings: warm,
      devices: fleet.length,
      seconds: +seconds.toFixed(2),
      readings_per_s: complete ? Math.round((messages.length - warm) / seconds) : null,
      complete,
      ledger: {
        verdicts: stored.length,
        readings_stored: readingRows,
        by_reason: reasons,
        missing_verdicts: missing,
        // Readings of other runs or tests on the broker, which our verifiers judged too (unknown devices here).
        others_readings_judged: foreign,
        exactly_one_verdict_each: missing === 0 && stored.length - foreign === hashes.size,
      },
      verdict_messages: { ours: judgedHashes.size, duplicates, from_other_verifiers: othersVerdicts },
      duplicate_deliveries: duplicates,
      per_process: perProcess.map((p) => ({ handled: p.handled, mean_latency_ms: p.meanLatencyMs, cpu_seconds: p.cpuSeconds })),
      subscribed: [...new Set(subscribed)],
      ...cpuBetween(before, after, seconds, cores),
      ...cpuPerReading(cpuBetween(before, after, seconds, cores).cpu_seconds, messages.length - warm, cores),
      schema,
    };
  } finally {
    for (const child of children) if (child.exitCode === null && child.connected) child.kill();
    await publisher?.endAsync().catch(() => {});
    await watcher?.endAsync().catch(() => {});
    await ledger.close().catch(() => {});
    await db.end().catch(() => {});
    const admin = new pg.Client({ connectionString: POSTGRES.url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

export type E2eRun = Awaited<ReturnType<typeof runOnce>>;

export async function benchVerifierE2E(options: E2eBenchOptions = {}) {
  if (!(await reachable(MOSQUITTO.host, MOSQUITTO.port))) return { skipped: `Mosquitto is not reachable on ${MOSQUITTO.host}:${MOSQUITTO.port}` };
  if (!(await reachable(POSTGRES.host, POSTGRES.port))) return { skipped: `PostgreSQL is not reachable on ${POSTGRES.host}:${POSTGRES.port}` };
  try {
    ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // keep 100
  }
  const settings = {
    readings: options.readings ?? 12_000,
    devices: options.devices ?? 2_000,
    window: options.window ?? 800,
    stallMs: options.stallMs ?? 20_000,
  };
  const counts = options.processes ?? [1, 2];
  const runs: E2eRun[] = [];
  for (let round = 0; round < (options.repeat ?? 2); round++) for (const processes of counts) runs.push(await runOnce(processes, settings, cpus().length));
  // The best run of each count: the one least slowed by other work on the machine.
  const best = counts.map((n) => runs.filter((r) => r.verifier_processes === n).reduce((a, b) => ((b.readings_per_s ?? 0) > (a.readings_per_s ?? 0) ? b : a)));
  const first = best[0]!;
  const last = best[best.length - 1]!;
  const gain = first.readings_per_s && last.readings_per_s ? +(last.readings_per_s / first.readings_per_s).toFixed(2) : null;
  // The most the last count could gain over the first on this machine, from CPU costs rather than rates (which
  // other load moves): the ratio of their CPU ceilings (see cpuPerReading).
  const gainCeiling = first.cpu_ceiling_readings_per_s && last.cpu_ceiling_readings_per_s ? +(last.cpu_ceiling_readings_per_s / first.cpu_ceiling_readings_per_s).toFixed(2) : null;
  return {
    broker: MOSQUITTO.url,
    ledger: 'PostgreSQL, a throwaway schema per run (dropped after)',
    publishing: `one MQTT 5 client, QoS 1, at most ${settings.window} readings published and not yet judged`,
    runs,
    best_readings_per_s: Object.fromEntries(best.map((r) => [`${r.verifier_processes}_process${r.verifier_processes > 1 ? 'es' : ''}`, r.readings_per_s])),
    gain,
    gain_ceiling_from_cpu: gainCeiling,
    target_gain: 1.8,
    loss: runs.reduce((n, r) => n + r.ledger.missing_verdicts, 0),
  };
}

export function formatVerifierE2E(r: Awaited<ReturnType<typeof benchVerifierE2E>>): string {
  if ('skipped' in r) return `skipped: ${r.skipped}`;
  const lines = [`${r.publishing}; ledger: ${r.ledger}`];
  for (const run of r.runs) {
    const c = run.cpu_seconds;
    lines.push(
      `${run.verifier_processes} verifier process(es): ${run.readings} readings of ${run.devices} devices (after ${run.warm_up_readings} untimed) in ${run.seconds} s = ${run.readings_per_s ?? 'incomplete'}/s; ` +
        `verdicts ${run.ledger.verdicts} (${JSON.stringify(run.ledger.by_reason)}), missing ${run.ledger.missing_verdicts}, exactly one each: ${run.ledger.exactly_one_verdict_each}` +
        (run.ledger.others_readings_judged || run.verdict_messages.from_other_verifiers
          ? `; traffic of other clients on the broker: ${run.ledger.others_readings_judged} of their readings judged here, ${run.verdict_messages.from_other_verifiers} verdicts on ours by their verifiers`
          : ''),
      `    split ${run.per_process.map((p) => p.handled).join(' / ')}, mean receipt-to-record ${run.per_process.map((p) => p.mean_latency_ms).join(' / ')} ms; ` +
        `CPU s: verifiers ${c.verifiers.join(' + ')}, postgres ${c.postgres}, mosquitto ${c.mosquitto}, publisher ${c.publisher_and_watcher}, other ${run.other_cpu_seconds}; machine ${run.machine_busy}`,
    );
    const u = run.cpu_us_per_reading;
    lines.push(
      `    CPU us per reading: verifiers ${u.verifiers}, postgres ${u.postgres}, mosquitto ${u.mosquitto}, publisher ${u.publisher_and_watcher} = ${u.total}; ` +
        `at that cost at most ${run.cpu_ceiling_readings_per_s}/s here (bound by ${run.cpu_ceiling_bound_by})`,
    );
    if (run.other_cpu_seconds !== null && run.other_cpu_seconds > 0.1 * run.seconds) {
      lines.push(`    warning: other processes used ${(run.other_cpu_seconds / run.seconds).toFixed(2)} core(s) during this run: its rate is pessimistic`);
    }
  }
  lines.push(`best readings/s: ${JSON.stringify(r.best_readings_per_s)}; gain ${r.gain}x (target >= ${r.target_gain}x); readings lost in all runs: ${r.loss}`);
  lines.push(
    `ceiling of the gain on this machine, from CPU per reading: ${r.gain_ceiling_from_cpu}x (the ratio of the best runs' ceilings; ` +
      `the broker, PostgreSQL and the publisher share the ${cpus().length} cores with the verifiers)`,
  );
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [readings, devices] = process.argv.slice(2).map(Number);
  const result = await benchVerifierE2E({ ...(readings ? { readings } : {}), ...(devices ? { devices } : {}) });
  console.log(formatVerifierE2E(result));
  console.log(JSON.stringify(result, null, 2));
}
