// The fleet-overview routes the dashboard reads (/v1/fleet, /v1/series, /v1/rewards, /v1/report), and the
// dashboard's own page at /, driven in process with app.inject over the fleet fixture (real pipeline, SQLite).
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiDeps } from '../../../src/verifier/http/api.js';
import { ALICE, fleetApi, fleetFixture, NOW_MS, OPEN_AT, type FleetFixture } from './fleet-fixture.js';

type Json = Record<string, any>;

async function setup(t: ExecutionContext, extra?: Partial<ApiDeps>) {
  const fleet = await fleetFixture();
  const app = fleetApi(fleet, extra);
  t.teardown(async () => {
    await app.close();
    await fleet.f.ledger.close();
  });
  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return { status: r.statusCode, body: (/json/.test(String(r.headers['content-type'])) ? r.json() : undefined) as Json, headers: r.headers, text: r.body };
  };
  /** /v1/rewards, asked again until its running tally of the open epoch has caught up (one slice per ask at least). */
  const rewards = async () => {
    for (let i = 0; i < 100; i++) {
      const r = await get('/v1/rewards');
      if (r.body.current?.complete !== false) return r;
    }
    throw new Error('the open epoch tally did not catch up in 100 asks');
  };
  return { fleet, app, get, rewards };
}

// --- /v1/fleet

test('GET /v1/fleet gives every device with its location and map state, and the count per state', async (t) => {
  const { fleet, get } = await setup(t);
  const r = await get('/v1/fleet');
  t.is(r.status, 200);
  t.is(r.body.at, new Date(NOW_MS).toISOString());
  t.is(r.body.windowS, 900);
  const states = Object.fromEntries(r.body.devices.map((d: Json) => [d.deviceId, d.state]));
  t.deepEqual(states, fleet.expected);
  t.deepEqual(r.body.counts, { accepted: 1, rejected: 1, maintenance: 1, silent: 1, inactive: 1 });
  const b = r.body.devices.find((d: Json) => d.deviceId === fleet.ids.B);
  t.deepEqual(b, {
    deviceId: fleet.ids.B, lat: 47.41, lon: 8.6, owner: ALICE, model: 'esp32-bme280', status: 'active', state: 'rejected',
    lastAt: new Date((OPEN_AT + 91) * 1000).toISOString(),
    lastAcceptedAt: new Date((OPEN_AT + 31) * 1000).toISOString(),
    lastRejectedAt: new Date((OPEN_AT + 91) * 1000).toISOString(),
  });
});

test('GET /v1/fleet?window= narrows "recently": a device quiet for longer than the window is silent', async (t) => {
  const { fleet, get } = await setup(t);
  // Last 60 s before now (OPEN_AT + 300): nothing arrived, so every active device is silent.
  const quiet = await get('/v1/fleet?window=60');
  t.deepEqual(quiet.body.counts, { accepted: 0, rejected: 0, maintenance: 0, silent: 4, inactive: 1 });
  // A whole day: C's readings in the closed epoch count again.
  const day = await get('/v1/fleet?window=86400');
  t.is(day.body.devices.find((d: Json) => d.deviceId === fleet.ids.C).state, 'accepted');
  for (const bad of ['0', '604801', 'x']) t.like((await get(`/v1/fleet?window=${bad}`)).body, { code: 'bad_request' }, bad);
});

// --- /v1/series

test('GET /v1/series gives one aligned time axis and per quantity mean, min, max and count per bucket', async (t) => {
  const { get } = await setup(t);
  const r = await get('/v1/series?window=600&bucket=60');
  t.is(r.status, 200);
  // The window ends with the bucket now (OPEN_AT + 300) falls in.
  t.like(r.body, { from: OPEN_AT - 240, to: OPEN_AT + 360, bucketS: 60 });
  t.deepEqual(r.body.buckets, Array.from({ length: 10 }, (_, i) => OPEN_AT - 240 + i * 60));
  t.deepEqual(Object.keys(r.body.quantities).sort(), ['humidity', 'pressure', 'temperature']);
  const temp = r.body.quantities.temperature;
  const at = (time: number) => (time - (OPEN_AT - 240)) / 60;
  // Bucket OPEN_AT: A 14.5 and B 14.9; the maintenance reading (E, 20) and the rejected one (B, 75) are left out.
  t.is(temp.count[at(OPEN_AT)], 2);
  t.is(Math.round(temp.mean[at(OPEN_AT)] * 1000) / 1000, 14.7);
  t.is(Math.round(temp.min[at(OPEN_AT)] * 1000) / 1000, 14.5);
  t.is(Math.round(temp.max[at(OPEN_AT)] * 1000) / 1000, 14.9);
  t.is(temp.count[at(OPEN_AT + 60)], 1);
  t.is(Math.round(temp.mean[at(OPEN_AT + 60)] * 1000) / 1000, 14.6);
  // Empty buckets are null (count 0), so a chart shows a gap rather than a made-up value.
  t.is(temp.mean[0], null);
  t.is(temp.count[0], 0);
  t.is(temp.mean.filter((v: number | null) => v !== null).length, 2);
});

test('GET /v1/series refuses a zero window or bucket and more than 1440 buckets', async (t) => {
  const { get } = await setup(t);
  for (const q of ['window=0', 'bucket=0', 'window=604800&bucket=60', 'bucket=86401']) {
    const r = await get(`/v1/series?${q}`);
    t.is(r.status, 400, q);
    t.like(r.body, { code: 'bad_request' }, q);
  }
  t.regex((await get('/v1/series?window=86400&bucket=1')).body.message, /1440 buckets/);
});

// --- /v1/rewards

test("GET /v1/rewards gives the closed epoch's payouts per owner and the open epoch's readings per owner", async (t) => {
  const { fleet, rewards } = await setup(t);
  const r = await rewards();
  t.is(r.status, 200);
  t.deepEqual(r.body.epochs, [
    { epoch: fleet.closedEpoch, root: fleet.settlement.root, total: fleet.settlement.total, closedAt: new Date(fleet.settlement.closedAt).toISOString(), payouts: fleet.settlement.payouts },
  ]);
  t.true(fleet.settlement.payouts.some((p) => p.owner === ALICE));
  // Open epoch: A's 2 readings (owner of the pipeline fixture's device), B's 1 accepted; E's maintenance one is left out.
  t.deepEqual(r.body.current, {
    epoch: fleet.openEpoch,
    readingsByOwner: [
      { owner: (await fleet.f.ledger.getDevice(fleet.ids.A))!.owner, readings: 2 },
      { owner: ALICE, readings: 1 },
    ],
    countedUntil: new Date(NOW_MS).toISOString(),
    complete: true,
  });
});

test('GET /v1/rewards keeps a running tally of the open epoch: a reading accepted since the last ask is counted once', async (t) => {
  const { fleet, get, rewards } = await setup(t);
  const before = (await rewards()).body.current.readingsByOwner;
  // Time passes: a reading arrives 5 s after the last ask, and the next ask comes 20 s later.
  t.is((await fleet.f.submit(fleet.f.sign({ seq: 12, time: OPEN_AT + 304 }), OPEN_AT + 305)).verdict.reason, 'ok');
  fleet.clock.ms = NOW_MS + 20_000;
  const after = (await get('/v1/rewards')).body.current.readingsByOwner;
  t.is(after[0].readings, before[0].readings + 1);
  t.deepEqual((await get('/v1/rewards')).body.current.readingsByOwner, after); // asked again: not counted twice
});

test('GET /v1/rewards without an epoch clock lists closed epochs only; ?epochs= caps them', async (t) => {
  const { get } = await setup(t, { currentEpoch: undefined });
  const r = await get('/v1/rewards?epochs=1');
  t.is(r.body.current, null);
  t.is(r.body.epochs.length, 1);
  t.like((await get('/v1/rewards?epochs=0')).body, { code: 'bad_request' });
});

// --- /v1/report

test('GET /v1/report is 404 not_found without a simulation, and the report as JSON with one', async (t) => {
  const without = await setup(t);
  const missing = await without.get('/v1/report');
  t.is(missing.status, 404);
  t.like(missing.body, { code: 'not_found' });
  const report = { seed: 7, nodes: 5, findings: ['ok'] };
  let calls = 0;
  const withReport = await setup(t, { report: () => ({ ...report, calls: ++calls }) });
  t.deepEqual((await withReport.get('/v1/report')).body, { ...report, calls: 1 });
  t.deepEqual((await withReport.get('/v1/report')).body, { ...report, calls: 2 }); // asked afresh each time
});

// --- the page

test('GET / serves the dashboard page with a same-origin Content-Security-Policy; its assets are under /dashboard/', async (t) => {
  const { get } = await setup(t);
  const page = await get('/');
  t.is(page.status, 200);
  t.regex(String(page.headers['content-type']), /^text\/html/);
  t.regex(page.text, /<script type="module" src="\/dashboard\/app\.js"><\/script>/);
  t.regex(String(page.headers['content-security-policy']), /default-src 'self'/);
  const script = await get('/dashboard/app.js');
  t.is(script.status, 200);
  t.regex(String(script.headers['content-type']), /javascript/);
  t.true(script.text.length > 10_000); // the bundle, uPlot included
  t.is((await get('/dashboard/app.css')).status, 200);
  t.is((await get('/dashboard/../../package.json')).status, 404);
});

test('GET / without a built dashboard is 503 dashboard_missing, saying how to build it', async (t) => {
  const { get } = await setup(t, { dashboardDir: mkdtempSync(join(tmpdir(), 'fp-no-dashboard-')) });
  const r = await get('/');
  t.is(r.status, 503);
  t.like(r.body, { code: 'dashboard_missing' });
  t.regex(r.body.message, /npm run build/);
});

test('the dashboard directory can be given: / serves its index.html', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-dashboard-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>other</title>');
  const { get } = await setup(t, { dashboardDir: dir });
  t.regex((await get('/')).text, /<title>other<\/title>/);
});
