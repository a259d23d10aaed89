// Config of a desktop node: a JSON file, command-line flags on top. Every field is checked and a bad one is
// named in the error (FP_E_CONFIG_INVALID), so a typo never starts a node with a surprise default.
import { existsSync, readFileSync } from 'node:fs';
import { FieldproofError } from '../../src/core/errors.js';
import { parseBrokerUrl } from './mqtt-transport.js';

export interface DesktopNodeConfig {
  /** Where the key, sequence record and outbox live. */
  dataDir: string;
  /** mqtt:// URL; undefined = start an embedded broker. */
  broker?: string;
  /** Port of the embedded broker when no URL is given. */
  embeddedPort: number;
  intervalS: number;
  kind: 'weather' | 'air';
  signer: 'native' | 'noble';
  outboxCapacity: number;
  longitude: number;
  firmwareVersion: string;
}

export const DEFAULT_NODE_CONFIG: DesktopNodeConfig = Object.freeze({
  dataDir: '.fieldproof/node',
  embeddedPort: 1883,
  intervalS: 60,
  kind: 'weather',
  signer: 'native',
  outboxCapacity: 10_000,
  longitude: 0,
  firmwareVersion: 'desktop-0.1.0',
});

const FIELDS: Record<keyof DesktopNodeConfig, (v: unknown) => string | undefined> = {
  dataDir: (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty path'),
  broker: (v) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return 'an mqtt:// URL';
    try {
      parseBrokerUrl(v);
      return undefined;
    } catch (error) {
      return (error as Error).message.replace(/^FP_E_BROKER_URL: /, '');
    }
  },
  embeddedPort: (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? undefined : 'a port number 0..65535'),
  intervalS: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 86_400 ? undefined : 'whole seconds from 1 to 86400'),
  kind: (v) => (v === 'weather' || v === 'air' ? undefined : '"weather" or "air"'),
  signer: (v) => (v === 'native' || v === 'noble' ? undefined : '"native" or "noble"'),
  outboxCapacity: (v) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 10_000_000 ? undefined : 'an integer from 1 to 10,000,000'),
  longitude: (v) => (typeof v === 'number' && v >= -180 && v <= 180 ? undefined : 'degrees from -180 to 180'),
  firmwareVersion: (v) => (typeof v === 'string' && /^[\x20-\x7e]{1,32}$/.test(v) ? undefined : '1 to 32 printable ASCII characters'),
};

export function readConfigFile(path: string): Partial<DesktopNodeConfig> {
  if (!existsSync(path)) throw new FieldproofError('FP_E_CONFIG_MISSING', `config file ${path} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FieldproofError('FP_E_CONFIG_INVALID', `config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FieldproofError('FP_E_CONFIG_INVALID', `config file ${path} must hold a JSON object`);
  }
  return parsed as Partial<DesktopNodeConfig>;
}

/** Merge layers (defaults < file < flags) and check every field. */
export function resolveNodeConfig(...layers: Partial<DesktopNodeConfig>[]): DesktopNodeConfig {
  const merged: Record<string, unknown> = { ...DEFAULT_NODE_CONFIG };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (!(k in FIELDS)) throw new FieldproofError('FP_E_CONFIG_INVALID', `unknown config field "${k}" (known: ${Object.keys(FIELDS).join(', ')})`);
      if (v !== undefined) merged[k] = v;
    }
  }
  for (const [k, check] of Object.entries(FIELDS)) {
    const problem = check(merged[k]);
    if (problem) throw new FieldproofError('FP_E_CONFIG_INVALID', `config field "${k}" must be ${problem} (got ${JSON.stringify(merged[k])})`);
  }
  return merged as unknown as DesktopNodeConfig;
}
