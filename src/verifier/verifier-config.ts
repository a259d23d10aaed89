// Config of the verifier service: a JSON file, flags on top. Every field is checked and named when wrong
// (FP_E_CONFIG_INVALID); the reward and quality sections are checked by their own parsers.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { FieldproofError } from '../core/errors.js';
import { parseBrokerUrl } from '../../hosts/node/mqtt-transport.js';
import { DEFAULT_TIME_WINDOW, type TimeWindowConfig } from './pipeline.js';
import { parseQualityConfig, type QualityConfig } from './quality/quality-config.js';
import { parseRewardConfig, type RewardConfig } from './rewards/epochs.js';

export interface VerifierConfig {
  dataDir: string;
  /** postgresql:// URL; undefined = SQLite in dataDir. */
  database?: string;
  /** PostgreSQL schema for the ledger tables (created if absent); default: the URL's search_path. */
  databaseSchema?: string;
  /** mqtt:// URL; undefined = embedded broker on brokerPort. */
  broker?: string;
  brokerPort: number;
  /** Shared subscription when an external broker is used (MQTT 5). */
  shared: boolean;
  /** Shared-subscription group: every verifier of one deployment uses the same. */
  sharedGroup: string;
  /** MQTT client id; stable across restarts (default: fp-verifier-<host>-<HTTP port>). Distinct per verifier process. */
  clientId: string;
  /** How long the broker keeps a stopped verifier's session and queued readings, seconds. */
  sessionExpiryS: number;
  /**
   * MQTT connections this process opens in the shared group. MQTT.js hands a connection one message at a time
   * (the next only after the previous one's verdict is recorded), so more connections keep more readings in
   * flight, and the verdicts in flight together share one ledger commit (group commit). Only with a shared
   * subscription: on a plain one every connection would get every reading.
   */
  ingestConnections: number;
  httpHost: string;
  httpPort: number;
  trustedFleetKeys: string[];
  rewards: RewardConfig;
  quality: QualityConfig;
  time: TimeWindowConfig;
  /** Seconds after an epoch's end before it is closed, so backfilled readings can still arrive. */
  closeGraceS: number;
  /** Close epochs automatically once their grace has passed. */
  autoClose: boolean;
  areaDegrees: number;
}

export type VerifierConfigInput = Partial<Omit<VerifierConfig, 'rewards' | 'quality' | 'time'>> & { rewards?: unknown; quality?: unknown; time?: Partial<TimeWindowConfig> };

/** A daily epoch from 2026-01-01 with a flat emission of 10,000 tokens of 18 decimals, readings every minute. */
export const DEFAULT_REWARDS = Object.freeze({
  epochSeconds: 86_400,
  genesis: 1_767_225_600,
  emission: { initial: '10000000000000000000000', halvingEvery: 1460 },
  maxDeviceShare: 0.02,
  maxDevicesPerArea: 5,
  minQuality: 0.5,
  readingIntervalSeconds: 60,
});

const invalid = (field: string, what: string, got: unknown) =>
  new FieldproofError('FP_E_CONFIG_INVALID', `verifier config field "${field}" must be ${what} (got ${JSON.stringify(got)})`);

export function readVerifierConfigFile(path: string): VerifierConfigInput {
  if (!existsSync(path)) throw new FieldproofError('FP_E_CONFIG_MISSING', `config file ${path} does not exist`);
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed;
  } catch (error) {
    throw new FieldproofError('FP_E_CONFIG_INVALID', `config file ${path}: ${(error as Error).message}`);
  }
}

export function resolveVerifierConfig(...layers: VerifierConfigInput[]): VerifierConfig {
  const m: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (v !== undefined) m[k] = v;
  const known = ['dataDir', 'database', 'databaseSchema', 'broker', 'sharedGroup', 'clientId', 'sessionExpiryS', 'ingestConnections', 'brokerPort', 'shared', 'httpHost', 'httpPort', 'trustedFleetKeys', 'rewards', 'quality', 'time', 'closeGraceS', 'autoClose', 'areaDegrees'];
  for (const k of Object.keys(m)) if (!known.includes(k)) throw new FieldproofError('FP_E_CONFIG_INVALID', `unknown verifier config field "${k}" (known: ${known.join(', ')})`);

  const dataDir = m.dataDir ?? '.fieldproof/verifier';
  if (typeof dataDir !== 'string' || !dataDir) throw invalid('dataDir', 'a path', dataDir);
  if (m.database !== undefined && (typeof m.database !== 'string' || !/^postgres(ql)?:\/\//.test(m.database))) throw invalid('database', 'a postgresql:// URL', m.database);
  if (m.databaseSchema !== undefined && (typeof m.databaseSchema !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(m.databaseSchema))) {
    throw invalid('databaseSchema', 'a lowercase SQL identifier', m.databaseSchema);
  }
  if (m.broker !== undefined) {
    try {
      parseBrokerUrl(m.broker as string);
    } catch {
      throw invalid('broker', 'an mqtt:// URL', m.broker);
    }
  }
  const port = (name: string, fallback: number) => {
    const v = m[name] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535) throw invalid(name, 'a port number', v);
    return v as number;
  };
  const keys = m.trustedFleetKeys ?? [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/.test(k))) throw invalid('trustedFleetKeys', 'a list of 64-hex-digit Ed25519 public keys', keys);
  const time = { ...DEFAULT_TIME_WINDOW, ...((m.time as object) ?? {}) } as TimeWindowConfig;
  for (const k of ['futureToleranceS', 'liveWindowS', 'backfillWindowS'] as const) {
    if (!Number.isInteger(time[k]) || time[k] < 0) throw invalid(`time.${k}`, 'whole seconds', time[k]);
  }
  const grace = m.closeGraceS ?? 3600;
  if (!Number.isInteger(grace) || (grace as number) < 0) throw invalid('closeGraceS', 'whole seconds', grace);
  const areaDegrees = m.areaDegrees ?? 0.1;
  if (typeof areaDegrees !== 'number' || !(areaDegrees > 0 && areaDegrees <= 10)) throw invalid('areaDegrees', 'degrees in (0, 10]', areaDegrees);
  let rewards: RewardConfig;
  let quality: QualityConfig;
  try {
    rewards = parseRewardConfig(m.rewards ?? DEFAULT_REWARDS);
    quality = parseQualityConfig(m.quality ?? {});
  } catch (error) {
    throw new FieldproofError('FP_E_CONFIG_INVALID', `verifier config: ${(error as Error).message}`);
  }
  const httpPort = port('httpPort', 8080);
  const sharedGroup = m.sharedGroup ?? 'fieldproof-verifiers';
  if (typeof sharedGroup !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(sharedGroup)) throw invalid('sharedGroup', 'letters, digits, . _ - (1 to 64)', sharedGroup);
  const clientId = m.clientId ?? `fp-verifier-${hostname()}-${httpPort}`;
  if (typeof clientId !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(clientId)) throw invalid('clientId', 'letters, digits, . _ - (1 to 128)', clientId);
  const sessionExpiryS = m.sessionExpiryS ?? 3600;
  if (!Number.isInteger(sessionExpiryS) || (sessionExpiryS as number) < 0) throw invalid('sessionExpiryS', 'whole seconds', sessionExpiryS);
  // 64: one verifier's readings in flight bound it to in-flight / latency (a PostgreSQL commit is ~13 ms here):
  // with 16, one verifier judged ~1,100 readings/s end to end in npm run bench, with 64 ~2,700/s (bench reruns).
  const ingestConnections = m.ingestConnections ?? 64;
  if (!Number.isInteger(ingestConnections) || (ingestConnections as number) < 1 || (ingestConnections as number) > 256) throw invalid('ingestConnections', 'an integer from 1 to 256', ingestConnections);
  return {
    dataDir,
    database: m.database as string | undefined,
    databaseSchema: m.databaseSchema as string | undefined,
    broker: m.broker as string | undefined,
    brokerPort: port('brokerPort', 1883),
    shared: m.shared === undefined ? m.broker !== undefined : m.shared === true,
    httpHost: typeof m.httpHost === 'string' ? m.httpHost : '127.0.0.1',
    httpPort,
    sharedGroup,
    clientId,
    sessionExpiryS: sessionExpiryS as number,
    ingestConnections: ingestConnections as number,
    trustedFleetKeys: keys as string[],
    rewards,
    quality,
    time,
    closeGraceS: grace as number,
    autoClose: m.autoClose !== false,
    areaDegrees,
  };
}
