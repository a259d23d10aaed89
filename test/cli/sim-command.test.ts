import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { demoState } from '../../src/cli/demo-command.js';
import { parseAccel, parseDuration, parseRegion, simOptionsFrom, type SimCliOptions } from '../../src/cli/sim-command.js';
import { silentLog } from '../../src/core/host.js';
import type { SimReport } from '../../src/sim/report.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/fieldproof.js', import.meta.url));
const dirs: string[] = [];
test.after.always(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fp-cli-sim-'));
  dirs.push(d);
  return d;
};

test('durations, regions and acceleration parse, and bad ones are refused naming the option', (t) => {
  t.is(parseDuration('90m'), 90 * 60_000);
  t.is(parseDuration('2h'), 7_200_000);
  t.is(parseDuration('1.5d'), 129_600_000);
  t.is(parseDuration('45'), 45_000);
  t.throws(() => parseDuration('soon'), { message: /--duration: a duration like 90m/ });
  t.throws(() => parseDuration('0s'), { message: /at least 1s/ });
  t.deepEqual(parseRegion('47.37, 8.54, 25'), { lat: 47.37, lon: 8.54, radiusKm: 25 });
  t.throws(() => parseRegion('95,8,25'), { message: /--region/ });
  t.throws(() => parseRegion('47,8'), { message: /--region/ });
  t.is(parseAccel('max'), Infinity);
  t.is(parseAccel('60'), 60);
  t.throws(() => parseAccel('0.5'), { message: /--accel/ });
});

const cli = (over: Partial<SimCliOptions> = {}): SimCliOptions => ({
  nodes: 50, region: '47.37,8.54,25', accel: 'max', seed: 3, interval: 60, epochMinutes: 60, port: 0, attacks: 'default', outage: true, storage: 'memory', ...over,
});

test('sim options: epochs or duration, an epoch of whole intervals, a fresh run directory', (t) => {
  const dir = tmp();
  const o = simOptionsFrom(cli({ epochs: 3, dataDir: join(dir, 'run') }), silentLog);
  t.is(o.durationMs, 3 * 3_600_000);
  t.is(o.epochS, 3600);
  t.true(o.brokerOutage);
  t.is(simOptionsFrom(cli({ dataDir: join(dir, 'run'), broker: 'mqtt://127.0.0.1:1883' }), silentLog).brokerOutage, false, 'an external broker is not stopped');
  t.regex(simOptionsFrom(cli(), silentLog, new Date(Date.UTC(2026, 10, 25, 6, 7, 8))).dataDir, /seed-3-20261125T060708$/);
  t.throws(() => simOptionsFrom(cli({ epochs: 2, duration: '2h' }), silentLog), { message: /FP_E_SIM_OPTIONS: give --duration or --epochs/ });
  t.throws(() => simOptionsFrom(cli({ epochMinutes: 1.5, interval: 60 }), silentLog), { message: /whole number of --interval/ });
  mkdirSync(join(dir, 'used'));
  writeFileSync(join(dir, 'used', 'ledger.sqlite'), '');
  t.throws(() => simOptionsFrom(cli({ dataDir: join(dir, 'used') }), silentLog), { message: /FP_E_SIM_OPTIONS: .*holds an earlier run/ });
  t.throws(() => simOptionsFrom(cli({ attacks: 'replay=x' }), silentLog), { message: /mix/ });
});

test('the demo keeps its fleet and epochs in its data directory, with the first epoch ending 45 s after the first start', (t) => {
  const dir = tmp();
  const now = 1_795_000_123;
  const s = demoState(dir, { nodes: 200, intervalS: 5, epochS: 120, seed: 1 }, now);
  t.is((now + 45 - s.genesis) % 120, 0, 'an epoch boundary 45 s after the start');
  t.true(s.genesis <= 1_767_225_600);
  t.deepEqual(demoState(dir, { nodes: 5, intervalS: 1, epochS: 60, seed: 1 }, now + 999), s, 'a restart keeps the stored state');
  writeFileSync(join(dir, 'demo.json'), '{"v": 2}');
  t.throws(() => demoState(dir, { nodes: 5, intervalS: 1, epochS: 60, seed: 1 }, now), { message: /FP_E_CONFIG_INVALID: .*not a demo state file/ });
});

test('sim runs from the command line and writes its report', async (t) => {
  const dir = join(tmp(), 'run');
  const { stdout } = await run(process.execPath, [bin, 'sim', '--nodes', '24', '--duration', '40m', '--epoch-minutes', '20', '--seed', '5', '-d', dir], { timeout: 120_000 });
  t.regex(stdout, /24 nodes on mqtt:\/\/127\.0\.0\.1:\d+; dashboard http:\/\/127\.0\.0\.1:\d+\//);
  t.regex(stdout, /Attackers captured [\d.]+ % of rewards/);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as SimReport;
  t.is(report.nodes, 24);
  t.is(report.seed, 5);
  t.is(report.epochs.length, 2);
  t.true(existsSync(join(dir, 'report.md')));
  const bad = await run(process.execPath, [bin, 'sim', '--nodes', '24', '--duration', '40m', '-d', dir]).catch((e) => e);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /holds an earlier run/);
});

test('demo runs the fleet in real time, settles epochs, stops cleanly, and resumes from its data directory', async (t) => {
  const dir = tmp();
  const args = [bin, 'demo', '--nodes', '24', '--interval', '1', '--epoch-minutes', '0.25', '--duration', '8s', '--port', '0', '--broker-port', '0', '--data-dir', dir];
  const first = await run(process.execPath, args, { timeout: 90_000 });
  t.regex(first.stdout, /dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  t.regex(first.stdout, /epoch \d+ closed: root 0x[0-9a-f]{64}/);
  t.regex(first.stdout, /stopped; report in/);
  const second = await run(process.execPath, args, { timeout: 90_000 });
  t.regex(second.stdout, /epoch \d+ closed: root 0x[0-9a-f]{64}/);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as SimReport;
  const honest = report.profiles.find((p) => p.profile === 'honest')!;
  t.true(honest.sent > 0);
  // Resumed nodes continue their sequence numbers: nothing of theirs is a replay of the first run.
  t.is(honest.byReason.replay ?? 0, 0, JSON.stringify(honest.byReason));
  t.is(report.honest.falseRejections, 0, JSON.stringify(report.honest.reasons));
});
