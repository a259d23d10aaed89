// VerdictV1 on the wire: what the verifier publishes on fieldproof/v1/nodes/{id}/verdicts for each reading.
// Deterministic CBOR with short ASCII text keys, like the status. Quality travels as an integer in thousandths
// (the protocol carries no floats).
import { fromHex } from '../core/bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../core/cbor-codec.js';
import type { VerdictV1 } from './types.js';

export function encodeVerdictMessage(v: VerdictV1): Uint8Array {
  const m = new Map<string, CborValue>([
    ['v', 1],
    ['hash', fromHex(v.messageHash)],
    ['status', v.status],
    ['reason', v.reason],
    ['received', Math.floor(v.receivedAt / 1000)],
  ]);
  if (v.seq !== null) m.set('seq', v.seq);
  if (v.quality !== null) m.set('quality', Math.round(v.quality * 1000));
  if (v.epoch !== null) m.set('epoch', v.epoch);
  const detail = v.detail.replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
  if (detail) m.set('detail', detail);
  return encodeCbor(m);
}

export function decodeVerdictMessage(bytes: Uint8Array): Record<string, unknown> | undefined {
  const d = decodeCbor(bytes, { maxBytes: 512, maxDepth: 2, allowedTags: [] });
  if (!d.ok || !(d.value instanceof Map) || d.value.get('v') !== 1) return undefined;
  return Object.fromEntries(d.value as Map<string, unknown>);
}
