// Registry records (attestations, ownership claims) travel in the same envelope as readings: COSE_Sign1 with
// EdDSA over a deterministic CBOR map with small integer keys. One strict decoder for all of them.
import { decodeCbor, type CborValue } from '../../core/cbor-codec.js';
import { decodeSign1, verifySign1 } from '../../core/cose-sign1.js';
import type { SignatureVerifier } from '../../core/signer.js';

export type SignedRecord = { ok: true; fields: Map<number, CborValue>; verify(publicKey: Uint8Array): boolean } | { ok: false; detail: string };

export function openSignedRecord(message: Uint8Array, verify: SignatureVerifier): SignedRecord {
  if (!(message instanceof Uint8Array)) return { ok: false, detail: 'expected bytes' };
  const envelope = decodeSign1(message);
  if (!envelope.ok) return { ok: false, detail: `envelope: ${envelope.reason} (${envelope.detail})` };
  const payload = decodeCbor(envelope.parts.payload, { maxBytes: 512, maxDepth: 3, allowedTags: [] });
  if (!payload.ok) return { ok: false, detail: `payload: ${payload.reason} (${payload.detail})` };
  if (!(payload.value instanceof Map)) return { ok: false, detail: 'payload: expected a map' };
  for (const k of payload.value.keys()) if (typeof k !== 'number') return { ok: false, detail: 'payload: integer keys only' };
  return { ok: true, fields: payload.value as Map<number, CborValue>, verify: (publicKey) => verifySign1(envelope.parts, publicKey, verify) };
}

export const bytesField = (m: Map<number, CborValue>, key: number, length: number): Uint8Array | undefined => {
  const v = m.get(key);
  return v instanceof Uint8Array && v.length === length ? v : undefined;
};

export const textField = (m: Map<number, CborValue>, key: number, max = 64): string | undefined => {
  const v = m.get(key);
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
};

export const uintField = (m: Map<number, CborValue>, key: number): number | undefined => {
  const v = m.get(key);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
};
