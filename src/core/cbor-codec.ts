// Deterministic CBOR encoding and strict decoding on cbor-x (RFC 8949).
// Encoding: cbor-x already writes integers and lengths in shortest form and definite lengths; we add the
// one rule it leaves to the caller, map keys in bytewise order of their encodings (RFC 8949 §4.2.1), and
// refuse floats and non-ASCII text so that XS and Node produce identical bytes.
// Decoding: scanCbor() bounds and checks the input first, so cbor-x never sees malformed or hostile bytes.
import { Decoder, Encoder, Tag } from 'cbor-x';
import { plainBytes } from './bytes.js';
import { DEFAULT_SCAN_LIMITS, scanCbor, type CborScanLimits, type CborScanReason } from './cbor-scan.js';

export { Tag };

export type CborKey = number | string;
export type CborValue =
  | number
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | Map<CborKey, CborValue>
  | Tag;

const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  pack: false,
  structuredClone: false,
});

const decoder = new Decoder({ useRecords: false, mapsAsObjects: false });

/** Encode a value deterministically. Throws TypeError naming the offending part for values off the wire's subset. */
export function encodeCbor(value: CborValue): Uint8Array {
  const encoded = encoder.encode(canonical(value, 'value'));
  // cbor-x on Node hands out a Buffer view into a shared pool: copy into a plain array we own.
  return new Uint8Array(encoded);
}

function canonical(value: CborValue, path: string): unknown {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`${path}: only safe integers go on the wire (got ${value})`);
    // cbor-x writes integers beyond 32 bits as float64; as a BigInt it writes the 8-byte integer form,
    // which is the shortest form for them (RFC 8949 §4.2.1).
    return value > 0xffff_ffff || value < -0x1_0000_0000 ? BigInt(value) : value;
  }
  if (typeof value === 'string') {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) throw new TypeError(`${path}: text on the wire is printable ASCII`);
    }
    return value;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return plainBytes(value);
  if (Array.isArray(value)) return value.map((v, i) => canonical(v, `${path}[${i}]`));
  if (value instanceof Map) {
    const keys = [...value.keys()];
    for (const k of keys) {
      if (typeof k === 'number' ? !Number.isSafeInteger(k) : typeof k !== 'string') {
        throw new TypeError(`${path}: map keys are integers or text`);
      }
    }
    keys.sort(compareKeys);
    const out = new Map<CborKey, unknown>();
    for (const k of keys) out.set(k, canonical(value.get(k)!, `${path}.${k}`));
    return out;
  }
  if (value instanceof Tag) return new Tag(canonical(value.value as CborValue, `${path}<tag ${value.tag}>`), value.tag);
  throw new TypeError(`${path}: unsupported type ${typeof value}`);
}

/** RFC 8949 §4.2.1 order for integer and ASCII text keys, without encoding them. */
export function compareKeys(a: CborKey, b: CborKey): number {
  const ma = keyMajor(a);
  const mb = keyMajor(b);
  if (ma !== mb) return ma - mb;
  if (typeof a === 'number' && typeof b === 'number') return a >= 0 ? a - b : b - a;
  const sa = a as string;
  const sb = b as string;
  if (sa.length !== sb.length) return sa.length - sb.length; // a shorter length header sorts first
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function keyMajor(k: CborKey): number {
  return typeof k === 'string' ? 3 : k >= 0 ? 0 : 1;
}

export type DecodeResult = { ok: true; value: CborValue } | { ok: false; reason: CborScanReason; detail: string };

/** Decode untrusted bytes: bounded, strict, deterministic-only. Never throws for bad input. */
export function decodeCbor(bytes: Uint8Array, limits: CborScanLimits = DEFAULT_SCAN_LIMITS): DecodeResult {
  const scan = scanCbor(bytes, limits);
  if (!scan.ok) return { ok: false, reason: scan.reason, detail: `${scan.detail} (at byte ${scan.at})` };
  try {
    return { ok: true, value: normalise(decoder.decode(bytes)) };
  } catch (error) {
    // The scan admits only what cbor-x decodes; reaching this is a bug, but the input still gets a reason.
    return { ok: false, reason: 'malformed', detail: `decoder: ${(error as Error).message}` };
  }
}

function normalise(value: unknown): CborValue {
  if (typeof value === 'bigint') return Number(value); // the scan admits only |n| <= 2^53-1
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Map) {
    const out = new Map<CborKey, CborValue>();
    for (const [k, v] of value) out.set(k as CborKey, normalise(v));
    return out;
  }
  if (value instanceof Tag) return new Tag(normalise(value.value), value.tag);
  return value as CborValue;
}
