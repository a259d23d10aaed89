// The fleet overview the dashboard reads: the map's device states, the fleet's readings as time series, rewards per
// owner per epoch, and a running simulation's report. No route asks the ledger once per device, and the running
// tallies (fleet-tallies.ts) make a poll cost what arrived since the previous one.
import type { FastifyInstance } from 'fastify';
import type { Ledger } from '../ledger/ledger.js';
import { fleetJson, rewardsJson, seriesJson } from './fleet-status.js';
import { ActivityTally, DeviceList, OwnerTally, SeriesBuckets } from './fleet-tallies.js';
import { badRequest, intQuery } from './query-params.js';

export interface FleetDeps {
  ledger: Ledger;
  /** The clock the overview's windows end at, Unix ms (Date.now when absent); a simulation passes its own clock. */
  now?: () => number;
  /** The epoch open at a time (Unix ms) and its first second (Unix s); without it /v1/rewards lists closed epochs only. */
  currentEpoch?: (nowMs: number) => { epoch: number; startS: number };
  /** A running simulation's report (src/sim), served as JSON at /v1/report. */
  report?: () => unknown;
}

const DAY_S = 86_400;
/** At most this many points per chart: enough for a day by the minute, small enough to draw every few seconds. */
const MAX_BUCKETS = 1440;

/** Registers the routes; tell the result when a device was registered or transferred, so the map shows it at once. */
export function registerFleetRoutes(app: FastifyInstance, deps: FleetDeps): { deviceChanged(): void } {
  const { ledger } = deps;
  const now = deps.now ?? Date.now;
  const devices = new DeviceList(ledger);
  const activity = new ActivityTally(ledger);
  const owners = new OwnerTally(ledger);
  const series = new SeriesBuckets(ledger);

  app.get<{ Querystring: { window?: string } }>('/v1/fleet', async (req) => {
    const windowS = intQuery(req.query.window, 'window', 1, 7 * DAY_S, 900);
    const at = now();
    const [list, latest] = await Promise.all([devices.get(), activity.since(at - windowS * 1000)]);
    return fleetJson(list, latest, at, windowS);
  });

  app.get<{ Querystring: { window?: string; bucket?: string } }>('/v1/series', async (req) => {
    const windowS = intQuery(req.query.window, 'window', 1, 7 * DAY_S, 1800);
    const bucketS = intQuery(req.query.bucket, 'bucket', 1, DAY_S, 60);
    const buckets = Math.ceil(windowS / bucketS);
    if (buckets > MAX_BUCKETS) throw badRequest(`window / bucket: at most ${MAX_BUCKETS} buckets, got ${buckets}`);
    // The window ends with the bucket now falls in, so the newest readings show at once.
    const nowS = Math.floor(now() / 1000);
    const to = (Math.floor(nowS / bucketS) + 1) * bucketS;
    const from = Math.max(0, to - buckets * bucketS);
    return seriesJson(await series.between(from, to, bucketS, nowS), from, to, bucketS);
  });

  app.get<{ Querystring: { epochs?: string } }>('/v1/rewards', async (req) => {
    const count = intQuery(req.query.epochs, 'epochs', 1, 100, 6);
    const closed = (await ledger.listSettlements()).slice(-count).reverse();
    const settlements = [];
    for (const s of closed) {
      const full = await ledger.getSettlement(s.epoch);
      if (full) settlements.push(full);
    }
    const at = now();
    const open = deps.currentEpoch?.(at);
    return rewardsJson(open ? await owners.count(open.epoch, open.startS, at) : null, settlements);
  });

  app.get('/v1/report', async (_req, reply) => {
    if (!deps.report) return reply.code(404).send({ code: 'not_found', message: 'no simulation is running in this verifier' });
    return deps.report() ?? {};
  });

  return { deviceChanged: () => devices.invalidate() };
}
