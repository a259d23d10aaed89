// COSE_Sign1 (RFC 9052 §4.2) with EdDSA (RFC 9053 §2.2, alg -8): the envelope every reading travels in.
//   COSE_Sign1 = #6.18([protected: bstr .cbor {1: -8}, unprotected: {}, payload: bstr, signature: bstr .size 64])
// The signature covers Sig_structure (RFC 9052 §4.4) = ["Signature1", protected, external_aad, payload],
// with external_aad empty in protocol v1. Any COSE library verifies it with only the public key.
import { concatBytes, equalBytes } from './bytes.js';
import { decodeCbor, encodeCbor, Tag, type CborValue } from './cbor-codec.js';
import type { CborScanLimits } from './cbor-scan.js';
import { SIGNATURE_BYTES, type SignatureVerifier, type Signer } from './signer.js';

export const COSE_SIGN1_TAG = 18; // RFC 9052 §2, CBOR tag for COSE_Sign1
export const ALG_EDDSA = -8; // RFC 9053 §2.2
const HEADER_ALG = 1; // RFC 9052 §3.1

/** bstr .cbor {1: -8}: the only protected header protocol v1 sends or accepts. */
export const PROTECTED_EDDSA: Uint8Array = encodeCbor(new Map([[HEADER_ALG, ALG_EDDSA]]));

export const SIGN1_LIMITS: CborScanLimits = Object.freeze({ maxBytes: 1024, maxDepth: 4, allowedTags: Object.freeze([COSE_SIGN1_TAG]) });

const EMPTY = new Uint8Array(0);
// "Signature1" as CBOR text (0x6a + 10 ASCII bytes), the context string of RFC 9052 §4.4.
const SIGNATURE1_CONTEXT = new Uint8Array([0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31]);

/** RFC 9052 §4.4 Sig_structure for COSE_Sign1, written directly (it is on the verifier's hot path). */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = EMPTY): Uint8Array {
  return concatBytes(
    new Uint8Array([0x84]), // array(4)
    SIGNATURE1_CONTEXT,
    bstrHeader(protectedBytes.length),
    protectedBytes,
    bstrHeader(externalAad.length),
    externalAad,
    bstrHeader(payload.length),
    payload,
  );
}

function bstrHeader(length: number): Uint8Array {
  if (length < 24) return new Uint8Array([0x40 | length]);
  if (length < 0x100) return new Uint8Array([0x58, length]);
  if (length < 0x1_0000) return new Uint8Array([0x59, length >> 8, length & 0xff]);
  return new Uint8Array([0x5a, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
}

/** Sign a payload into a tagged COSE_Sign1 message. */
export function signSign1(payload: Uint8Array, signer: Signer): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload: expected a Uint8Array');
  const signature = signer.sign(sigStructure(PROTECTED_EDDSA, payload));
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) {
    throw new TypeError('signer.sign: must return 64 bytes');
  }
  return encodeCbor(new Tag([PROTECTED_EDDSA, new Map(), payload, signature], COSE_SIGN1_TAG));
}

export interface Sign1Parts {
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
}

export type Sign1DecodeReason = 'too_large' | 'malformed' | 'too_deep' | 'non_deterministic' | 'unsupported' | 'not_cose_sign1' | 'unsupported_alg';

export type Sign1DecodeResult = { ok: true; parts: Sign1Parts } | { ok: false; reason: Sign1DecodeReason; detail: string };

/** Strictly decode a protocol v1 COSE_Sign1 envelope. Never throws for bad input. */
export function decodeSign1(bytes: Uint8Array): Sign1DecodeResult {
  const decoded = decodeCbor(bytes, SIGN1_LIMITS);
  if (!decoded.ok) return decoded;
  const value = decoded.value;
  const notCose = (detail: string): Sign1DecodeResult => ({ ok: false, reason: 'not_cose_sign1', detail });
  if (!(value instanceof Tag) || value.tag !== COSE_SIGN1_TAG) return notCose('expected CBOR tag 18 (COSE_Sign1)');
  const body = value.value as CborValue;
  if (!Array.isArray(body) || body.length !== 4) return notCose('COSE_Sign1 is an array of 4');
  const [protectedBytes, unprotected, payload, signature] = body;
  if (!(protectedBytes instanceof Uint8Array)) return notCose('protected header must be a bstr');
  if (!(unprotected instanceof Map)) return notCose('unprotected header must be a map');
  if (!(payload instanceof Uint8Array)) return notCose('payload must be an embedded bstr (detached payloads are not used)');
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return notCose('signature must be a bstr of 64 bytes');
  // Protocol v1 admits exactly {1: -8} protected and nothing unprotected: no header can change what was signed.
  if (!equalBytes(protectedBytes, PROTECTED_EDDSA)) return { ok: false, reason: 'unsupported_alg', detail: 'protected header must be exactly {1: -8} (EdDSA)' };
  if (unprotected.size !== 0) return notCose('unprotected header must be empty');
  return { ok: true, parts: { protectedBytes, payload, signature } };
}

export function verifySign1(parts: Sign1Parts, publicKey: Uint8Array, verify: SignatureVerifier, externalAad: Uint8Array = EMPTY): boolean {
  return verify(publicKey, sigStructure(parts.protectedBytes, parts.payload, externalAad), parts.signature);
}
