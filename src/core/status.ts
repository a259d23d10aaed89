// StatusV1: what a node says about itself on its retained status topic (docs/PROTOCOL.md §Status).
// Signed like a reading (COSE_Sign1, EdDSA), so nobody else can mark a node online or offline.
// A CBOR map with short ASCII text keys: the status is read by people with generic tools as often as by code.
import { decodeCbor, encodeCbor, type CborValue } from './cbor-codec.js';

export interface StatusV1 {
  online: boolean;
  /** Device time, Unix seconds (0 while the clock is not synced). */
  time: number;
  deviceId: string;
  publicKey: Uint8Array;
  firmwareVersion: string;
  firmwareBuild: Uint8Array;
  uptimeS: number;
  outboxDepth: number;
  outboxDropped: number;
  nextSeq: number;
  /** Host-specific diagnostics (free heap, reset reason, ...): integers and ASCII text. */
  diagnostics: Record<string, number | string>;
}

export function encodeStatus(status: StatusV1): Uint8Array {
  const diagnostics = new Map<string, CborValue>();
  for (const [k, v] of Object.entries(status.diagnostics)) diagnostics.set(k, v);
  return encodeCbor(
    new Map<string, CborValue>([
      ['v', 1],
      ['online', status.online],
      ['time', status.time],
      ['id', status.deviceId],
      ['pk', status.publicKey],
      ['fw', status.firmwareVersion],
      ['build', status.firmwareBuild],
      ['uptime', status.uptimeS],
      ['outbox', status.outboxDepth],
      ['dropped', status.outboxDropped],
      ['seq', status.nextSeq],
      ['diag', diagnostics],
    ]),
  );
}

export type StatusDecodeResult = { ok: true; status: StatusV1 } | { ok: false; reason: string; detail: string };

export function decodeStatus(bytes: Uint8Array): StatusDecodeResult {
  const decoded = decodeCbor(bytes, { maxBytes: 1024, maxDepth: 3, allowedTags: [] });
  if (!decoded.ok) return decoded;
  const m = decoded.value;
  const bad = (detail: string): StatusDecodeResult => ({ ok: false, reason: 'wrong_type', detail });
  if (!(m instanceof Map) || m.get('v') !== 1) return bad('status: expected a map with v = 1');
  const num = (k: string) => (typeof m.get(k) === 'number' ? (m.get(k) as number) : NaN);
  const str = (k: string) => (typeof m.get(k) === 'string' ? (m.get(k) as string) : undefined);
  const bytesOf = (k: string) => (m.get(k) instanceof Uint8Array ? (m.get(k) as Uint8Array) : undefined);
  const diag = m.get('diag');
  const status: StatusV1 = {
    online: m.get('online') === true,
    time: num('time'),
    deviceId: str('id') ?? '',
    publicKey: bytesOf('pk') ?? new Uint8Array(0),
    firmwareVersion: str('fw') ?? '',
    firmwareBuild: bytesOf('build') ?? new Uint8Array(0),
    uptimeS: num('uptime'),
    outboxDepth: num('outbox'),
    outboxDropped: num('dropped'),
    nextSeq: num('seq'),
    diagnostics: {},
  };
  if (typeof m.get('online') !== 'boolean' || !status.deviceId || status.publicKey.length !== 32 || !(diag instanceof Map)) {
    return bad('status: missing or mistyped fields');
  }
  for (const k of ['time', 'uptime', 'outbox', 'dropped', 'seq']) if (!Number.isInteger(num(k))) return bad(`status.${k}: expected uint`);
  for (const [k, v] of diag) if (typeof k === 'string' && (typeof v === 'number' || typeof v === 'string')) status.diagnostics[k] = v;
  return { ok: true, status };
}
