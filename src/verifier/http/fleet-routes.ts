// The fleet overview the dashboard reads: the map's device states, the fleet's readings as time series, rewards per
// owner per epoch, and a running simulation's report. Each route is a fixed number of ledger queries, whatever the
// fleet's size (no query per device).
import type { FastifyInstance } from 'fastify';
import type { Ledger } from '../ledger/ledger.js';
import { fleetJson, rewardsJson, seriesJson } from './fleet-status.js';
import { badRequest, intQuery } from './query-params.js';

export interface FleetDeps {
  ledger: Ledger;
  /** The clock the overview's windows end at, Unix ms (Date.now when absent); a simulation passes its own clock. */
  now?: () => number;
  /** The epoch open at a time (Unix ms); without it /v1/rewards lists closed epochs only. */
  currentEpoch?: (nowMs: number) => number;
  /** A running simulation's report (src/sim), served as JSON at /v1/report. */
  report?: () => unknown;
}

const DAY_S = 86_400;
/** At most this many points per chart: enough for a day by the minute, small enough to draw every few seconds. */
const MAX_BUCKETS = 1440;

export function registerFleetRoutes(app: FastifyInstance, deps: FleetDeps): void {
  const { ledger } = deps;
  const now = deps.now ?? Date.now;

  app.get<{ Querystring: { window?: string } }>('/v1/fleet', async (req) => {
    const windowS = intQuery(req.query.window, 'window', 1, 7 * DAY_S, 900);
    const at = now();
    const [devices, activity] = await Promise.all([ledger.listDevices(), ledger.deviceActivity(Math.max(0, at - windowS * 1000))]);
    return fleetJson(devices, activity, at, windowS);
  });

  app.get<{ Querystring: { window?: string; bucket?: string } }>('/v1/series', async (req) => {
    const windowS = intQuery(req.query.window, 'window', 1, 7 * DAY_S, 1800);
    const bucketS = intQuery(req.query.bucket, 'bucket', 1, DAY_S, 60);
    const buckets = Math.ceil(windowS / bucketS);
    if (buckets > MAX_BUCKETS) throw badRequest(`window / bucket: at most ${MAX_BUCKETS} buckets, got ${buckets}`);
    // The window ends with the bucket now falls in, so the newest readings show at once.
    const to = (Math.floor(Math.floor(now() / 1000) / bucketS) + 1) * bucketS;
    const from = Math.max(0, to - buckets * bucketS);
    return seriesJson(await ledger.readingSeries(from, to, bucketS), from, to, bucketS);
  });

  app.get<{ Querystring: { epochs?: string } }>('/v1/rewards', async (req) => {
    const count = intQuery(req.query.epochs, 'epochs', 1, 100, 6);
    const closed = (await ledger.listSettlements()).slice(-count).reverse();
    const settlements = [];
    for (const s of closed) {
      const full = await ledger.getSettlement(s.epoch);
      if (full) settlements.push(full);
    }
    const epoch = deps.currentEpoch?.(now());
    const current = epoch === undefined ? null : { epoch, owners: await ledger.readingsByOwner(epoch) };
    return rewardsJson(current, settlements);
  });

  app.get('/v1/report', async (_req, reply) => {
    if (!deps.report) return reply.code(404).send({ code: 'not_found', message: 'no simulation is running in this verifier' });
    return deps.report() ?? {};
  });
}
