// StatusV1: what a node says about itself on its retained status topic (docs/PROTOCOL.md §Status).
// Signed like a reading (COSE_Sign1, EdDSA), so nobody else can mark a node online or offline.
// A CBOR map with short ASCII text keys: the status is read by people with generic tools as often as by code.
import { decodeCbor, encodeCbor, type CborValue } from './cbor-codec.js';
import { deviceIdOf, deviceIdText } from './device-id.js';
import { PUBLIC_KEY_BYTES } from './signer.js';

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

export const STATUS_LIMITS = Object.freeze({ maxBytes: 1024, maxDepth: 3, allowedTags: Object.freeze([]) as readonly number[] });
const KEYS = ['v', 'online', 'time', 'id', 'pk', 'fw', 'build', 'uptime', 'outbox', 'dropped', 'seq', 'diag'];
const UINT_KEYS = ['time', 'uptime', 'outbox', 'dropped', 'seq'];

/** Strictly decode a status payload: every key present, nothing else, right types, id derived from pk. */
export function decodeStatus(bytes: Uint8Array): StatusDecodeResult {
  const decoded = decodeCbor(bytes, STATUS_LIMITS);
  if (!decoded.ok) return decoded;
  const m = decoded.value;
  const bad = (detail: string): StatusDecodeResult => ({ ok: false, reason: 'wrong_type', detail });
  if (!(m instanceof Map) || m.get('v') !== 1) return bad('status: expected a map with v = 1');
  for (const k of m.keys()) if (typeof k !== 'string' || !KEYS.includes(k)) return bad(`status: unknown key ${String(k)}`);
  for (const k of KEYS) if (!m.has(k)) return bad(`status.${k}: missing`);
  for (const k of UINT_KEYS) {
    const v = m.get(k);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return bad(`status.${k}: expected uint`);
  }
  const online = m.get('online');
  const id = m.get('id');
  const pk = m.get('pk');
  const fw = m.get('fw');
  const build = m.get('build');
  const diag = m.get('diag');
  if (typeof online !== 'boolean') return bad('status.online: expected bool');
  if (!(pk instanceof Uint8Array) || pk.length !== PUBLIC_KEY_BYTES) return bad('status.pk: expected bstr of 32 bytes');
  if (typeof id !== 'string' || id !== deviceIdText(deviceIdOf(pk))) return bad('status.id: must be the device id derived from pk');
  if (typeof fw !== 'string' || fw.length < 1 || fw.length > 32) return bad('status.fw: expected text of 1 to 32 characters');
  if (!(build instanceof Uint8Array) || build.length < 1 || build.length > 16) return bad('status.build: expected bstr of 1 to 16 bytes');
  if (!(diag instanceof Map)) return bad('status.diag: expected a map');
  const diagnostics: Record<string, number | string> = {};
  for (const [k, v] of diag) {
    if (typeof k !== 'string' || (typeof v !== 'number' && typeof v !== 'string')) return bad('status.diag: text keys, int or text values');
    diagnostics[k] = v;
  }
  return {
    ok: true,
    status: {
      online,
      time: m.get('time') as number,
      deviceId: id,
      publicKey: pk,
      firmwareVersion: fw,
      firmwareBuild: build,
      uptimeS: m.get('uptime') as number,
      outboxDepth: m.get('outbox') as number,
      outboxDropped: m.get('dropped') as number,
      nextSeq: m.get('seq') as number,
      diagnostics,
    },
  };
}
