// The verifier service: ledger + ingest (MQTT) + epoch closer + HTTP API, started and stopped as one.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { FieldproofError } from '../core/errors.js';
import type { Log } from '../core/host.js';
import { createSodiumVerifier } from '../../hosts/node/sodium-verifier.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../hosts/node/embedded-broker.js';
import { DeviceCache } from './device-cache.js';
import { DeviceHistory } from './device-history.js';
import { IngestLanes } from './ingest-lanes.js';
import { closeEpoch, EpochStillOpenError } from './epoch-close.js';
import { buildApi } from './http/api.js';
import { createMetrics, type VerifierMetrics } from './http/metrics.js';
import type { Ledger } from './ledger/ledger.js';
import { PgLedger } from './ledger/pg-ledger.js';
import { SqliteLedger } from './ledger/sqlite-ledger.js';
import { historyDepthFor, ingest, type PipelineDeps } from './pipeline.js';
import type { OnboardingContext } from './registry/onboarding.js';
import { epochBounds, epochOf } from './rewards/epochs.js';
import { MqttIngest } from './service/mqtt-ingest.js';
import type { VerdictV1 } from './types.js';
import type { VerifierConfig } from './verifier-config.js';

export interface RunningVerifier {
  ledger: Ledger;
  ingest: MqttIngest;
  http: FastifyInstance;
  httpUrl: string;
  brokerUrl: string;
  metrics: VerifierMetrics;
  pipeline: PipelineDeps;
  onboarding: OnboardingContext;
  /** Close every ended epoch not closed yet; returns the epochs it closed. */
  closeDueEpochs(): Promise<number[]>;
  stop(): Promise<void>;
}

/**
 * The ledger a config names. `recordsVerdicts: false` (a command that only reads, reviews or settles) opens a
 * SQLite file without its writer and checkpointer threads, which only ingest needs.
 */
export function openLedger(config: Pick<VerifierConfig, 'database' | 'databaseSchema' | 'dataDir'>, options: { recordsVerdicts?: boolean } = {}): Ledger {
  if (config.database) return new PgLedger(config.database, config.databaseSchema ? { schema: config.databaseSchema } : {});
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (error) {
    throw new FieldproofError('FP_E_DATA_DIR', `cannot create ${config.dataDir}: ${(error as Error).message}`);
  }
  return new SqliteLedger(join(config.dataDir, 'ledger.sqlite'), options.recordsVerdicts === false ? { writerThread: false } : {});
}

export interface StartVerifierOptions {
  /** The service's clock (Unix ms); a fleet simulation passes its simulated time. Default Date.now. */
  now?: () => number;
  clientId?: string;
  /** Called with every verdict once recorded, and again (revised = true) when the neighbour review changes it. */
  onVerdict?: (verdict: VerdictV1, revised: boolean) => void;
  /** A fleet simulation running beside the verifier: served at /v1/report and shown on the dashboard. */
  report?: () => unknown;
}

export async function startVerifier(config: VerifierConfig, log: Log, options: StartVerifierOptions = {}): Promise<RunningVerifier> {
  const now = options.now ?? Date.now;
  const ledger = openLedger(config);
  await ledger.open();
  let broker: EmbeddedBroker | undefined;
  try {
    if (!config.broker) broker = await startEmbeddedBroker({ port: config.brokerPort });
  } catch (error) {
    await ledger.close();
    throw error;
  }
  const brokerUrl = config.broker ?? broker!.url;
  const verify = createSodiumVerifier(); // libsodium: about twice node:crypto's rate (npm run bench)
  const devices = new DeviceCache(ledger, { now });
  const metrics = createMetrics();
  const pipeline: PipelineDeps = {
    ledger,
    verify,
    devices,
    quality: config.quality,
    time: config.time,
    epochOf: (t) => epochOf(t, config.rewards),
    historyDepth: historyDepthFor(config.quality, config.rewards.readingIntervalSeconds),
  };
  pipeline.history = new DeviceHistory(ledger, { depth: pipeline.historyDepth! });
  pipeline.lanes = new IngestLanes(); // the ingest connections hand over readings concurrently
  const onboarding: OnboardingContext = { ledger, trustedFleetKeys: new Set(config.trustedFleetKeys), verify, now, areaDegrees: config.areaDegrees };
  const shared = config.broker !== undefined && config.shared;
  const clientId = options.clientId ?? config.clientId;
  const connections = shared ? config.ingestConnections : 1;
  const ingests = Array.from(
    { length: connections },
    (_, i) =>
      new MqttIngest({
        url: brokerUrl,
        shared,
        group: config.sharedGroup,
        clientId: i === 0 ? clientId : `${clientId}-${i}`,
        sessionExpiryS: config.sessionExpiryS,
        log,
        now,
        handle: async (report) => (await ingest(report, pipeline)).verdict,
        onVerdict: (v, ms) => {
          metrics.observeVerdict(v, ms);
          options.onVerdict?.(v, false);
        },
      }),
  );
  const mqttIngest = ingests[0]!;
  const inFlight = () => ingests.reduce((n, x) => n + x.inFlight, 0);
  const http = buildApi({
    ledger,
    onboarding,
    metrics,
    onDeviceChanged: (id) => devices.invalidate(id),
    health: () => ({ broker: brokerUrl, inFlight: inFlight(), ingestConnections: connections }),
    now,
    ...(options.report ? { report: options.report } : {}),
    currentEpoch: (ms) => {
      const epoch = epochOf(Math.floor(ms / 1000), config.rewards);
      return { epoch, startS: epochBounds(epoch, config.rewards)[0] };
    },
  });
  const queueTimer = setInterval(() => metrics.setQueueDepth(inFlight()), 1000).unref();

  let closing: Promise<number[]> | undefined;
  const closeDueEpochs = () =>
    (closing ??= (async () => {
      const closed: number[] = [];
      const t = now();
      const last = epochOf(Math.floor(t / 1000) - config.closeGraceS, config.rewards) - 1;
      const listed = new Set((await ledger.listSettlements()).map((s) => s.epoch));
      // Look back 30 epochs at most per pass, and never before the first device was registered: an epoch that
      // ended before any device existed has nothing to settle, and an empty settlement for it is only clutter.
      const registered = (await ledger.listDevices()).reduce((m, d) => Math.min(m, d.registeredAt), Infinity);
      if (registered === Infinity) return closed;
      const first = Math.max(0, last - 30, epochOf(Math.floor(registered / 1000), config.rewards));
      for (let e = first; e <= last; e++) {
        if (listed.has(e)) continue;
        try {
          const r = await closeEpoch(ledger, e, { rewards: config.rewards, quality: config.quality, graceS: config.closeGraceS, now: t });
          if (r.created) {
            closed.push(e);
            // Verdicts the neighbour review changed go back to their devices.
            for (const x of r.reviewed) {
              if (x.quality === 1) continue;
              const revised = await ledger.getVerdict(x.reading.messageHash);
              if (revised) {
                mqttIngest.publishVerdict(revised);
                options.onVerdict?.(revised, true);
              }
            }
            log.info(`epoch ${e} closed: root ${r.settlement.root}, ${r.settlement.payouts.length} payout(s), total ${r.settlement.total}`);
          }
        } catch (error) {
          if (!(error instanceof EpochStillOpenError)) log.error(`closing epoch ${e}: ${(error as Error).message}`);
        }
      }
      return closed;
    })().finally(() => (closing = undefined)));

  let closeTimer: NodeJS.Timeout | undefined;
  try {
    for (const x of ingests) await x.start();
    await http.listen({ host: config.httpHost, port: config.httpPort });
  } catch (error) {
    clearInterval(queueTimer);
    await Promise.all(ingests.map((x) => x.stop(1000).catch(() => {})));
    await http.close();
    await broker?.close();
    await ledger.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new FieldproofError('FP_E_PORT_IN_USE', `HTTP port ${config.httpPort} on ${config.httpHost} is in use; pass --port`);
    }
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      throw new FieldproofError('FP_E_BROKER_UNREACHABLE', `cannot reach the broker ${brokerUrl}`);
    }
    throw error;
  }
  if (config.autoClose) {
    // Check once a minute, or sooner for short simulation epochs.
    const every = Math.min(60_000, Math.max(1000, (config.rewards.epochSeconds * 1000) / 4));
    closeTimer = setInterval(() => void closeDueEpochs(), every).unref();
  }
  const address = http.server.address() as { port: number };
  const httpUrl = `http://${config.httpHost}:${address.port}`;
  log.info(`verifier: broker ${brokerUrl}${shared ? ` (shared subscription, ${connections} connection(s))` : ''}, HTTP ${httpUrl}, ledger ${config.database ? 'PostgreSQL' : join(config.dataDir, 'ledger.sqlite')}`);
  log.info(`epoch ${epochOf(Math.floor(now() / 1000), config.rewards)} open until ${new Date(epochBounds(epochOf(Math.floor(now() / 1000), config.rewards), config.rewards)[1] * 1000).toISOString()}`);

  let stopping: Promise<void> | undefined;
  return {
    ledger,
    ingest: mqttIngest,
    http,
    httpUrl,
    brokerUrl,
    metrics,
    pipeline,
    onboarding,
    closeDueEpochs,
    stop: () =>
      (stopping ??= (async () => {
        if (closeTimer) clearInterval(closeTimer);
        clearInterval(queueTimer);
        await Promise.all(ingests.map((x) => x.stop())); // in-flight readings finish; newer ones stay unacknowledged
        await closing;
        await http.close();
        await broker?.close();
        await ledger.close();
      })()),
  };
}
