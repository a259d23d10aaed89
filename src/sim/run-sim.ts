// One fleet simulation: a broker (embedded, or the one given), the verifier service on the fleet's simulated
// clock, the planned boards and attackers, simulated time in lockstep, epochs closed as they end, a broker
// outage partway through, and the report at the end (and live, for the dashboard).
import { mkdirSync } from 'node:fs';
import { toHex } from '../core/bytes.js';
import { FieldproofError } from '../core/errors.js';
import type { Log } from '../core/host.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../hosts/node/embedded-broker.js';
import { createNativeSigner } from '../../hosts/node/native-signer.js';
import { signAttestation } from '../verifier/registry/attestation.js';
import { issueNonce, registerDevice } from '../verifier/registry/onboarding.js';
import { signOwnershipClaim } from '../verifier/registry/ownership-claim.js';
import { epochBounds, epochOf } from '../verifier/rewards/epochs.js';
import { DEFAULT_REWARDS, resolveVerifierConfig, type VerifierConfig, type VerifierConfigInput } from '../verifier/verifier-config.js';
import { startVerifier, type RunningVerifier } from '../verifier/verifier-service.js';
import { createEnvironment, type EnvironmentRegion } from './environment.js';
import { planFleet, simFleetKey, type NodePlan } from './fleet-plan.js';
import { Lockstep } from './lockstep.js';
import type { ProfileMix } from './profiles.js';
import { buildReport, type SimReport } from './report.js';
import { createActor, isRegistered, type FleetContext, type SimActor } from './sim-nodes.js';
import { ownConnections, pooledConnections } from './broker-links.js';
import { Tally } from './tally.js';

export interface SimOptions {
  nodes: number;
  seed: number;
  region: EnvironmentRegion;
  mix: ProfileMix;
  /** Simulated start, Unix ms (default: a fixed date when accelerated, now when in real time). */
  startMs?: number;
  /** Simulated length of the run, ms; Infinity runs until `signal` is aborted. */
  durationMs: number;
  /** Start of reward epoch 0, Unix s (default: the verifier's). A resumed run must pass the same. */
  genesis?: number;
  /** Seconds after an epoch's end before it is settled (default: the epoch length, at most 600). */
  graceS?: number;
  /** Simulated time per real time; Infinity = as fast as possible. */
  accel: number;
  /**
   * Simulated ms per lockstep step (default 10 s accelerated, 1 s in real time). Readings of one step reach the
   * verifier stamped with the step's end, so a step must stay well inside the verifier's time tolerances.
   */
  stepMs?: number;
  intervalS: number;
  epochS: number;
  /** External broker; undefined = an embedded one on brokerPort. */
  brokerUrl?: string;
  brokerPort?: number;
  /** PostgreSQL URL for the ledger; undefined = SQLite in dataDir. */
  databaseUrl?: string;
  databaseSchema?: string;
  dataDir: string;
  httpPort: number;
  /** Stop the embedded broker for a while partway through (default true with an embedded broker). */
  brokerOutage?: boolean;
  storage: 'files' | 'memory';
  /**
   * Boards per MQTT connection: 1 gives each board its own connection (and last will); more share a pool.
   * Default: 1 up to 2,000 boards, then 100.
   */
  boardsPerConnection?: number;
  log: Log;
  /** Called after every settled step with the live report (throttled by the caller). */
  onProgress?: (live: SimProgress) => void;
  /** Set aborted to stop early (Ctrl-C): the run ends cleanly and still reports. */
  signal?: { aborted: boolean };
  /** Verifier settings layered over the simulation's (tests tune quality rules). */
  verifier?: VerifierConfigInput;
}

export interface SimProgress {
  nowMs: number;
  startMs: number;
  endMs: number;
  lagMs: number;
  sent: number;
  verdicts: number;
  epochsClosed: number;
  brokerUp: boolean;
}

export interface SimRun {
  verifier: RunningVerifier;
  brokerUrl: string;
  plans: NodePlan[];
  /** Run to the end; resolves with the final report. */
  done: Promise<SimReport>;
  /** The report so far. */
  report(): Promise<SimReport>;
  /** The last live report (rebuilt every few seconds while running), or undefined before the first. */
  live(): SimReport | undefined;
}

/** 2026-06-01T00:00:00Z: accelerated runs start here unless told otherwise, so they replay exactly. */
export const DEFAULT_SIM_START_MS = Date.UTC(2026, 5, 1);

const SETTLE_TIMEOUT_MS = 120_000;

export async function startSim(o: SimOptions): Promise<SimRun> {
  if (!(o.durationMs >= 1000)) throw new RangeError('durationMs: at least 1000 (Infinity: until stopped)');
  if (!Number.isInteger(o.intervalS) || o.intervalS < 1) throw new RangeError('intervalS: a whole number of seconds, at least 1');
  if (!Number.isInteger(o.epochS) || o.epochS % o.intervalS !== 0) throw new RangeError('epochS: a whole multiple of intervalS');
  if (o.brokerUrl && o.brokerOutage) {
    throw new FieldproofError('FP_E_SIM_OPTIONS', 'a broker outage can only be simulated with the embedded broker');
  }
  const plans = planFleet({ seed: o.seed, nodes: o.nodes, region: o.region, mix: o.mix });
  const accelerated = !(Number.isFinite(o.accel) && o.accel === 1);
  const startMs = o.startMs ?? (accelerated ? DEFAULT_SIM_START_MS : Math.ceil(Date.now() / 1000) * 1000);
  const endMs = startMs + o.durationMs;
  // Faults that start partway through place themselves in the run; an endless run places them in its first hour.
  const runLengthMs = Number.isFinite(o.durationMs) ? o.durationMs : 3_600_000;
  const graceS = o.graceS ?? Math.min(o.epochS, 600);
  const stepMs = o.stepMs ?? (accelerated ? 10_000 : 1000);
  if (!Number.isInteger(stepMs) || stepMs < 100 || stepMs > 60_000) throw new RangeError('stepMs: an integer from 100 to 60000');
  const lockstep = new Lockstep({ startMs, accel: o.accel, stepMs });
  const tally = new Tally();
  mkdirSync(o.dataDir, { recursive: true });

  let broker: EmbeddedBroker | undefined;
  let brokerUrl = o.brokerUrl;
  if (!brokerUrl) {
    broker = await startEmbeddedBroker({ port: o.brokerPort ?? 1883, tryNextPorts: 20 });
    if (o.brokerPort !== 0 && broker.port !== (o.brokerPort ?? 1883)) o.log.info(`port ${o.brokerPort ?? 1883} is in use; the embedded broker took ${broker.port} instead`);
    brokerUrl = broker.url;
  }

  const fleetKey = simFleetKey(o.seed);
  const fleetSigner = createNativeSigner(fleetKey);
  let verifier: RunningVerifier;
  let config: VerifierConfig;
  // The dashboard asks the verifier's HTTP API for the simulation report; it is filled in once the run starts.
  let liveReport: () => SimReport | undefined = () => undefined;
  try {
    config = resolveVerifierConfig(
      {
        dataDir: o.dataDir,
        database: o.databaseUrl,
        databaseSchema: o.databaseSchema,
        broker: brokerUrl,
        shared: false,
        clientId: `fp-sim-verifier-${o.seed}-${process.pid}`,
        sessionExpiryS: 0,
        httpPort: o.httpPort,
        trustedFleetKeys: [toHex(fleetSigner.publicKey)],
        // The default emission is per daily epoch, halving every 1,460 epochs (4 years): keep both in time, so a
        // 2-minute epoch pays 2 minutes' worth and the halving stays 4 years away.
        rewards: {
          ...DEFAULT_REWARDS,
          emission: {
            initial: ((BigInt(DEFAULT_REWARDS.emission.initial) * BigInt(o.epochS)) / 86_400n).toString(),
            halvingEvery: Math.max(1, Math.round((DEFAULT_REWARDS.emission.halvingEvery * 86_400) / o.epochS)),
          },
          epochSeconds: o.epochS, readingIntervalSeconds: o.intervalS, ...(o.genesis !== undefined ? { genesis: o.genesis } : {}) },
        closeGraceS: graceS,
        autoClose: false,
      },
      o.verifier ?? {},
    );
    verifier = await startVerifier(config, o.log, { now: () => lockstep.settledNow, onVerdict: (v, revised) => tally.verdict(v, revised), report: () => liveReport() ?? {} });
  } catch (error) {
    await broker?.close();
    throw error;
  }

  // Register the boards (in-process, through the same onboarding code the HTTP API uses).
  for (const plan of plans) {
    if (!isRegistered(plan)) continue;
    if (await verifier.ledger.getDevice(plan.deviceId)) continue; // a resumed run
    const device = createNativeSigner(plan.secretKey);
    const issuedAt = Math.floor(startMs / 1000);
    const attestation = signAttestation(fleetSigner, { publicKey: device.publicKey, model: plan.model, sensorKinds: plan.sensorKinds }, issuedAt);
    const { nonce } = await issueNonce(verifier.onboarding);
    const claim = signOwnershipClaim(device, { owner: plan.owner, nonce, location: { lat: plan.lat, lon: plan.lon }, signedAt: issuedAt });
    const r = await registerDevice(verifier.onboarding, { attestation, claim });
    if (!r.ok) throw new FieldproofError('FP_E_SIM_REGISTER', `registering ${plan.name} (${plan.deviceId}): ${r.code}: ${r.detail}`);
  }

  const perConnection = o.boardsPerConnection ?? (o.nodes > 2000 ? 100 : 1);
  const links = perConnection === 1 ? ownConnections(brokerUrl, o.log) : pooledConnections(brokerUrl, o.log, { perConnection, clientIdPrefix: `fp-sim-${o.seed}-pool` });
  o.log.info(`${plans.length} devices registered; starting the boards`);
  const environment = createEnvironment({ seed: o.seed, region: o.region });
  const ctx: FleetContext = {
    lockstep,
    sensors: { environment, now: () => lockstep.now, runStartMs: startMs, runLengthMs },
    tally,
    links,
    intervalS: o.intervalS,
    seed: o.seed,
    storage: o.storage,
    dataDir: o.dataDir,
    log: o.log,
    captured: new Map(),
    compromised: new Set(plans.filter((p) => p.profile === 'cloned_key').map((p) => p.traits.victim)),
  };
  const actors: SimActor[] = plans.map((p) => createActor(ctx, p, plans));
  for (const a of actors) a.start();

  // Planned events: per-node outages (offline_backfill) and one broker outage of 10 simulated minutes at 60 %.
  const outages = plans
    .filter((p) => p.profile === 'offline_backfill')
    .map((p) => {
      const from = startMs + Math.round(p.traits.offlineFrom * runLengthMs);
      return { index: p.index, from, to: from + Math.min(p.traits.offlineMs, Math.round(runLengthMs * 0.35)) };
    });
  const outageEnabled = (o.brokerOutage ?? !!broker) && !!broker && Number.isFinite(o.durationMs) && o.durationMs >= 30 * 60_000;
  const brokerDown = outageEnabled ? { from: startMs + Math.round(o.durationMs * 0.6), to: startMs + Math.round(o.durationMs * 0.6) + 10 * 60_000 } : undefined;
  let brokerUp = true;
  const closedEpochs: number[] = [];
  const rewards = () => config.rewards;
  const epochEnd = (e: number) => epochBounds(e, rewards())[1] * 1000;
  const firstEpoch = epochOf(Math.floor(startMs / 1000), rewards());
  let closeCandidate = firstEpoch;
  const graceMs = graceS * 1000;

  const quiet = (): string | undefined => {
    if (tally.pending > 0) return `${tally.pending} reading(s) await a verdict`;
    for (const a of actors) {
      if (!a.gate.open) continue;
      if (a.link.connected !== brokerUp) return `${a.plan.name} is ${brokerUp ? 'not yet reconnected' : 'still connected'}`;
      if (brokerUp && (a.gate.inFlight > 0 || (a.outbox && a.outbox.depth > 0))) return `${a.plan.name} has readings in flight`;
    }
    return undefined;
  };
  const settle = async () => {
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    let spins = 0;
    for (;;) {
      const busy = quiet();
      if (!busy) return;
      if (performance.now() > deadline) throw new FieldproofError('FP_E_SIM_STALLED', `the fleet did not settle within ${SETTLE_TIMEOUT_MS / 1000} s: ${busy}`);
      await new Promise((r) => (spins++ < 50 ? setImmediate(r) : setTimeout(r, 2)));
    }
  };

  let releaseClonesAt = Infinity;
  const afterStep = async (now: number) => {
    if (now >= releaseClonesAt) {
      releaseClonesAt = Infinity;
      for (const a of actors) if (a.plan.profile === 'cloned_key') a.gate.setCut(false);
      await settle();
    }
    for (const x of outages) {
      const a = actors[x.index]!;
      const cut = now >= x.from && now < x.to;
      if (a.gate.open === cut) a.gate.setCut(cut);
    }
    if (brokerDown && broker) {
      const shouldBeUp = !(now >= brokerDown.from && now < brokerDown.to);
      if (shouldBeUp !== brokerUp) {
        brokerUp = shouldBeUp;
        if (!brokerUp) {
          o.log.info(`simulated broker outage at ${new Date(now).toISOString()} for 10 minutes`);
          await broker.suspend();
        } else {
          // Two boards with one key (a clone and its victim) would drain their backlogs at once over two
          // connections, and the verifier would hear them interleaved differently on every run: the clones wait
          // one step, until their victims have drained.
          for (const a of actors) if (a.plan.profile === 'cloned_key') a.gate.setCut(true);
          releaseClonesAt = now + lockstep.stepMs;
          await broker.resume();
          o.log.info('broker back');
        }
        await settle();
      }
    }
    while (now >= epochEnd(closeCandidate) + graceMs) {
      const closed = await verifier.closeDueEpochs();
      for (const e of closed) if (e >= firstEpoch) closedEpochs.push(e);
      closeCandidate++;
    }
    refreshLive();
    o.onProgress?.({ nowMs: now, startMs, endMs, lagMs: lockstep.lagMs(), sent: tally.verdicts + tally.pending, verdicts: tally.verdicts, epochsClosed: closedEpochs.length, brokerUp });
  };

  // The live report, for the dashboard: rebuilt at most every 3 s of real time, never awaited by the steps.
  let live: SimReport | undefined;
  let liveAt = 0;
  let rebuilding = false;
  const refreshLive = () => {
    if (rebuilding || performance.now() - liveAt < 3000) return;
    rebuilding = true;
    liveAt = performance.now();
    void report()
      .then((r) => (live = r))
      .catch(() => {})
      .finally(() => (rebuilding = false));
  };
  liveReport = () => live;

  const report = () =>
    buildReport({ plans, tally, ledger: verifier.ledger, closedEpochs, seed: o.seed, accel: o.accel, startMs, nowMs: lockstep.now, leftInOutboxes: actors.reduce((n, a) => n + (a.outbox?.depth ?? 0), 0) });

  await waitConnected(actors, o.signal);
  o.log.info(`${actors.length} boards connected over ${links.connections} MQTT connection(s)`);
  const done = (async () => {
    let failure: unknown;
    try {
      await lockstep.runUntil(endMs, { settle, afterStep, signal: o.signal });
      // Stop sampling, lift per-node outages so backlogs drain, and let the last epochs close.
      await Promise.all(actors.map((a) => a.node?.stop()));
      for (const a of actors) if (!a.gate.open) a.gate.setCut(false);
      // Settle the last epoch too, when that is at most a minute of real time away (always when unpaced).
      const last = epochOf(Math.floor((lockstep.now - 1) / 1000), rewards());
      const closeAt = epochEnd(last) + graceMs + 1000;
      if (!o.signal?.aborted && (closeAt - lockstep.now) / o.accel <= 60_000) await lockstep.runUntil(closeAt, { settle, afterStep, signal: o.signal });
      else await settle().catch(() => {});
    } catch (error) {
      failure = error;
    }
    const final = await report();
    await Promise.all(actors.map((a) => a.stop().catch(() => {})));
    await links.close();
    await verifier.stop();
    await broker?.close();
    if (failure) throw failure;
    return final;
  })();
  return { verifier, brokerUrl, plans, done, report, live: () => live };
}

async function waitConnected(actors: readonly SimActor[], signal?: { aborted: boolean }): Promise<void> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const missing = actors.filter((a) => !a.link.connected).length;
    if (missing === 0 || signal?.aborted) return;
    if (performance.now() > deadline) throw new FieldproofError('FP_E_BROKER_UNREACHABLE', `${missing} simulated node(s) could not connect to the broker`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
