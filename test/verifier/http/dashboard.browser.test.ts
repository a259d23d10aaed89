// The dashboard end to end in a real headless browser: Debian's chromium driven by playwright-core (no browser
// download), against the verifier's HTTP server over the fleet fixture (readings judged by the real pipeline, SQLite).
// Checks what a person would look at: the map's markers and colours, the live charts, the verdict counts, the rewards
// table, a device's page and the simulation panel; that the page loads nothing from elsewhere and logs no error; and
// takes a screenshot (its path is logged).
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { nobleVerify } from '../../../src/core/signer.js';
import { buildApi, type ApiDeps } from '../../../src/verifier/http/api.js';
import { createMetrics } from '../../../src/verifier/http/metrics.js';
import { SqliteLedger } from '../../../src/verifier/ledger/sqlite-ledger.js';
import { CHROMIUM, needBrowser } from '../../helpers/services.js';
import { ALICE, fleetFixture, OPEN_AT, type FleetFixture } from './fleet-fixture.js';

// Serial: one browser page at a time keeps this file's share of a loaded CI machine small (the suite's other files
// run beside it, and some have one-second connect timeouts).
let browser: Browser | undefined;

test.before(async () => {
  if (await needBrowser()) browser = await chromium.launch({ executablePath: CHROMIUM.path, args: ['--headless', '--no-sandbox'] });
});
test.after.always(async () => {
  await browser?.close();
});

/** A report as the fleet simulator serves it. */
export const REPORT = {
  seed: 42,
  nodes: 120,
  accel: 60,
  simTime: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T06:00:00.000Z' },
  totals: { sent: 43_200, accepted: 40_010, rejected: 3_150, pending: 40, byReason: { ok: 40_010, bad_signature: 1_200, replay: 950, out_of_range: 1_000 } },
  profiles: [
    { profile: 'honest-urban', kind: 'honest', nodes: 100, sent: 36_000, accepted: 35_990, rejected: 10, byReason: { ok: 35_990, jump: 10 }, rewardShare: 0.9712, rewards: '971200000000000000000' },
    { profile: 'stuck-sensor', kind: 'fault', nodes: 10, sent: 3_600, accepted: 3_400, rejected: 200, byReason: { ok: 3_400, flat_line: 200 }, rewardShare: 0.0268, rewards: '26800000000000000000' },
    { profile: 'key-thief', kind: 'attack', nodes: 10, sent: 3_600, accepted: 620, rejected: 2_940, byReason: { ok: 620, bad_signature: 1_200, replay: 950, out_of_range: 790 }, rewardShare: 0.002, rewards: '2000000000000000000' },
  ],
  honest: { sent: 36_000, accepted: 35_990, falseRejections: 10, falseRejectionRate: 0.000278 },
  attackers: { rewardShare: 0.002, target: 0.01, met: true },
  epochs: [{ epoch: 0, root: `0x${'ab'.repeat(32)}`, total: '1000000000000000000000' }],
  findings: ['key-thief: 620 readings got through before the replay check caught up', 'honest false-rejection rate 0.03 % (target 0.1 %)'],
};

interface Served {
  fleet: FleetFixture;
  url: string;
  page: Page;
  /** Console errors, page errors, failed requests and requests to any other origin: all should stay empty. */
  problems: string[];
}

/** The fixture's API on a loopback port and a fresh browser page; undefined when chromium is missing (skipped). */
async function serve(t: ExecutionContext, extra: Partial<ApiDeps> = {}): Promise<Served | undefined> {
  if (!browser) {
    t.pass(`skipped: ${CHROMIUM.name} is not installed at ${CHROMIUM.path}`);
    return undefined;
  }
  const fleet = await fleetFixture();
  const app = buildApi(fleet.deps(extra));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  t.teardown(async () => {
    await context.close();
    await app.close();
    await fleet.f.ledger.close();
  });
  const page = await context.newPage();
  const problems: string[] = [];
  // A failed request is reported below with its URL; the console's copy of it ("Failed to load resource") has none.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
  // /v1/report is 404 by design when no simulation runs: the dashboard asks and hides its panel.
  page.on('response', (r) => r.status() >= 400 && !(r.status() === 404 && r.url() === `${url}/v1/report`) && problems.push(`${r.status()} for ${r.url()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => !r.url().startsWith(`${url}/`) && problems.push(`request to another origin: ${r.url()}`));
  return { fleet, url, page, problems };
}

/** A full-page screenshot into a temp dir; its path. */
async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'fp-dashboard-shot-')), name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const loaded = (page: Page, which: 'overview' | 'device') => page.waitForSelector(`body[data-page="${which}"][data-loaded]`, { timeout: 20_000 });

test.serial('map: one marker per device, coloured by its state, with the count per state in the legend', async (t) => {
  const s = await serve(t);
  if (!s) return;
  await s.page.goto(`${s.url}/`);
  await loaded(s.page, 'overview');
  const markers = await s.page.$$eval('svg.fleet-map circle.marker', (els) =>
    els.map((el) => ({ id: el.getAttribute('data-device'), cls: el.getAttribute('class'), fill: (globalThis as any).getComputedStyle(el).fill as string })),
  );
  t.is(markers.length, Object.keys(s.fleet.expected).length);
  for (const m of markers) t.is(m.cls, `marker state-${s.fleet.expected[m.id!]}`, m.id!);
  // The classes are styled: five states, five different colours.
  t.is(new Set(markers.map((m) => m.fill)).size, 5);
  const legend = await s.page.$$eval('.legend li', (els) => els.map((el) => [el.getAttribute('data-state'), el.querySelector('.count')?.textContent]));
  t.deepEqual(Object.fromEntries(legend), { accepted: '1', rejected: '1', maintenance: '1', silent: '1', inactive: '1' });
  t.deepEqual(s.problems, []);
});

test.serial('charts: one uPlot chart per quantity, drawn from the fleet series, and live: a new reading shows up', async (t) => {
  const s = await serve(t);
  if (!s) return;
  await s.page.goto(`${s.url}/`);
  await loaded(s.page, 'overview');
  const charts = () => s.page.$$eval('figure.chart', (els) => els.map((el) => [el.getAttribute('data-quantity'), el.getAttribute('data-points')]));
  t.deepEqual(await charts(), [['humidity', '2'], ['pressure', '2'], ['temperature', '2']]);
  // The mean's line (#1f6feb) is on the canvas: pixels of that colour exist, not only axes and grid.
  const meanPixels = await s.page.$eval('figure.chart[data-quantity="temperature"] canvas', (c: any) => {
    const data: Uint8ClampedArray = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 31) < 40 && Math.abs(data[i + 1]! - 111) < 40 && Math.abs(data[i + 2]! - 235) < 40 && data[i + 3]! > 200) n++;
    return n;
  });
  t.true(meanPixels > 20, `${meanPixels} pixels of the mean's colour`);
  // Time passes and a reading in a new minute goes through the pipeline; the next poll draws it.
  s.fleet.clock.ms = (OPEN_AT + 330) * 1000;
  const message = s.fleet.f.sign({ seq: 12, time: OPEN_AT + 320, values: { temperature: 14.8, humidity: 60.5, pressure: 101_360 } });
  t.is((await s.fleet.f.submit(message, OPEN_AT + 321)).verdict.reason, 'ok');
  await s.page.waitForSelector('figure.chart[data-quantity="temperature"][data-points="3"]', { timeout: 20_000 });
  t.deepEqual(s.problems, []);
});

test.serial('verdict counts by reason match the ledger', async (t) => {
  const s = await serve(t);
  if (!s) return;
  await s.page.goto(`${s.url}/`);
  await loaded(s.page, 'overview');
  const shown = await s.page.$$eval('table.verdict-counts tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-reason'), r.querySelector('.count')?.textContent]));
  const counts = await s.fleet.f.ledger.countVerdictsByReason();
  t.deepEqual(Object.fromEntries(shown), Object.fromEntries(Object.entries(counts).map(([r, n]) => [r, n.toLocaleString('en-US')])));
  t.is(shown[0]![0], 'ok'); // accepting reasons first
  t.deepEqual(s.problems, []);
});

test.serial("rewards: the settled epoch's owners with their payouts, and the open epoch's readings so far", async (t) => {
  const s = await serve(t);
  if (!s) return;
  await s.page.goto(`${s.url}/`);
  await loaded(s.page, 'overview');
  const { settlement, closedEpoch, openEpoch } = s.fleet;
  // The open epoch's running tally may take a few polls to catch up on a busy machine.
  await s.page.waitForSelector('table.rewards th.current[data-complete]', { timeout: 30_000 });
  t.deepEqual(await s.page.$$eval('table.rewards thead th[data-epoch]', (ths) => ths.map((th) => Number(th.getAttribute('data-epoch')))), [openEpoch, closedEpoch]);
  for (const p of settlement.payouts) {
    const cell = await s.page.$eval(`table.rewards tr[data-owner="${p.owner}"] td[data-epoch="${closedEpoch}"]`, (td) => td.textContent);
    t.is(cell, BigInt(p.amount).toLocaleString('en-US'), p.owner);
  }
  t.regex((await s.page.$eval(`table.rewards tr[data-owner="${ALICE}"] td.current`, (td) => td.textContent)) ?? '', /^1 reading$/);
  t.deepEqual(s.problems, []);
});

test.serial("device page: clicking a marker opens the device's recent readings and verdicts", async (t) => {
  const s = await serve(t);
  if (!s) return;
  const id = s.fleet.ids.B;
  await s.page.goto(`${s.url}/`);
  await loaded(s.page, 'overview');
  await s.page.click(`circle.marker[data-device="${id}"]`);
  await loaded(s.page, 'device');
  t.is(new URL(s.page.url()).hash, `#/device/${id}`);
  t.is(await s.page.textContent('#device h2 code'), id);
  const readings = await s.fleet.f.ledger.recentReadings(id, Number.MAX_SAFE_INTEGER, 50);
  t.deepEqual(await s.page.$$eval('table.readings tbody tr', (rows) => rows.map((r) => r.getAttribute('data-hash'))), readings.map((r) => r.messageHash));
  const verdicts = await s.fleet.f.ledger.listVerdicts({ deviceId: id, limit: 50 });
  const rows = await s.page.$$eval('table.verdicts tbody tr', (els) => els.map((r) => [r.getAttribute('data-hash'), r.getAttribute('data-reason')]));
  t.deepEqual(rows, verdicts.map((v) => [v.messageHash, v.reason]));
  t.true(rows.some(([, reason]) => reason === 'out_of_range'));
  t.deepEqual(await s.page.$$eval('figure.chart', (els) => els.map((el) => el.getAttribute('data-quantity'))), ['humidity', 'pressure', 'temperature']);
  const shot = await screenshot(s.page, 'device.png');
  t.log(`screenshot: ${shot}`);
  await s.page.click('a[href="#/"]');
  await loaded(s.page, 'overview');
  t.deepEqual(s.problems, []);
});

test.serial('simulation panel: hidden without a simulation, and renders the report with one; a screenshot is a PNG', async (t) => {
  const without = await serve(t);
  if (!without) return;
  await without.page.goto(`${without.url}/`);
  await loaded(without.page, 'overview');
  t.true(await without.page.$eval('#simulation', (el: any) => el.hidden as boolean));

  const s = (await serve(t, { report: () => REPORT }))!;
  await s.page.goto(`${s.url}/`);
  await loaded(s.page, 'overview');
  t.false(await s.page.$eval('#simulation', (el: any) => el.hidden as boolean));
  const field = (name: string) => s.page.textContent(`#simulation [data-field="${name}"]`);
  t.is(await field('seed'), '42');
  t.is(await field('sent'), '43,200');
  t.is(await field('false-rejection-rate'), '0.03 % (10 of 36,000)');
  t.regex((await field('attackers')) ?? '', /^0\.20 % \(target ≤ 1\.00 %, met\)$/);
  const profiles = await s.page.$$eval('#simulation table.profiles tbody tr', (rows) =>
    rows.map((r) => [r.getAttribute('data-profile'), r.querySelector('[data-field="reward-share"]')?.textContent]),
  );
  t.deepEqual(profiles, [['honest-urban', '97.12 %'], ['stuck-sensor', '2.68 %'], ['key-thief', '0.20 %']]);
  t.deepEqual(await s.page.$$eval('#simulation .findings li', (els) => els.map((el) => el.textContent)), REPORT.findings);

  const path = await screenshot(s.page, 'overview.png');
  const png = readFileSync(path);
  t.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // PNG signature
  t.true(png.readUInt32BE(16) >= 1280 && png.readUInt32BE(20) >= 1000, 'IHDR: at least the viewport'); // width, height
  t.true(png.length > 20_000, `${png.length} bytes`);
  t.log(`screenshot: ${path}`);
  t.deepEqual(s.problems, []);
});

test.serial('simulation panel: a report still starting (fields missing) renders without an error', async (t) => {
  const s = await serve(t, { report: () => ({ seed: 7, totals: {}, profiles: [{ profile: 'honest-urban' }] }) });
  if (!s) return;
  await s.page.goto(`${s.url}/`);
  await loaded(s.page, 'overview');
  t.is(await s.page.textContent('#simulation [data-field="seed"]'), '7');
  t.is(await s.page.textContent('#simulation [data-field="sent"]'), '–');
  t.deepEqual(await s.page.$$eval('#simulation table.profiles tbody tr', (rows) => rows.map((r) => r.getAttribute('data-profile'))), ['honest-urban']);
  t.truthy(await s.page.$('#status.ok'), 'the poll succeeded');
  t.deepEqual(s.problems, []);
});

test.serial('an empty verifier: the map draws its graticule and says no device is registered, nothing fails', async (t) => {
  if (!browser) {
    t.pass(`skipped: ${CHROMIUM.name} is not installed at ${CHROMIUM.path}`);
    return;
  }
  const ledger = new SqliteLedger(':memory:');
  await ledger.open();
  const app = buildApi({ ledger, onboarding: { ledger, trustedFleetKeys: new Set(), verify: nobleVerify, now: Date.now }, metrics: createMetrics({ defaultMetrics: false }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const page = await browser.newPage();
  t.teardown(async () => {
    await page.close();
    await app.close();
    await ledger.close();
  });
  await page.goto(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/`);
  await loaded(page, 'overview');
  t.true((await page.$$('svg.fleet-map .graticule line')).length > 0);
  t.is((await page.$$('svg.fleet-map circle.marker')).length, 0);
  t.is(await page.textContent('#map .note'), 'No device is registered yet.');
  t.is(await page.textContent('#verdicts .empty'), 'No verdicts yet.');
});
