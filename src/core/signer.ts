// Ed25519 (RFC 8032) signing for the node. The portable signer is @noble/curves; a host may supply its own
// (the desktop host passes node:crypto). Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so every
// conforming signer yields the same bytes for the same key and message, which the tests check.
import { ed25519 } from '@noble/curves/ed25519.js';

export interface Signer {
  /** 32-byte Ed25519 public key (RFC 8032 §5.1.5). */
  readonly publicKey: Uint8Array;
  /** 64-byte Ed25519 signature of message. */
  sign(message: Uint8Array): Uint8Array;
}

/** Verifies an Ed25519 signature; false for a bad signature, TypeError only for wrong-shaped arguments. */
export type SignatureVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export const SECRET_KEY_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/**
 * Size of noble's precomputed base-point table. It is global to the process (noble keeps it on the base point).
 * W=1 keeps no table (a small window per signature); larger W trades memory for speed:
 * about ceil(253/W + 1) * 2^(W-1) points (W=4: 520 points, W=6: 1,408, W=8: 4,224). `npm run bench` measures each in XS.
 */
export function setPrecomputeWindow(windowSize: number): void {
  if (!Number.isInteger(windowSize) || windowSize < 1 || windowSize > 16) throw new RangeError('precomputeWindow: an integer from 1 to 16');
  ed25519.Point.BASE.precompute(windowSize, true);
}

/**
 * The device's window: 1, no table. `npm run bench` measured in XS: W=1 costs ~3.4M meter units per signature and
 * ~325 heap slots; W=4 ~1.4M units but ~2,900 slots for its table, W=6 ~1.16M units and ~7,400 slots. An
 * esp32/nodemcu build has about 4,928 slots in all, and a node signs about once a minute, so memory wins.
 * A table computed at preload time would live in flash instead (the ESP32 host can choose that).
 */
export const DEVICE_PRECOMPUTE_WINDOW = 1;

export interface NobleSignerOptions {
  /** See setPrecomputeWindow(). Leave undefined to keep the process's current table. */
  precomputeWindow?: number;
}

export function createNobleSigner(secretKey: Uint8Array, options: NobleSignerOptions = {}): Signer {
  assertBytes(secretKey, SECRET_KEY_BYTES, 'secretKey');
  if (options.precomputeWindow !== undefined) setPrecomputeWindow(options.precomputeWindow);
  const key = secretKey.slice();
  const publicKey = ed25519.getPublicKey(key);
  return {
    publicKey,
    sign: (message) => ed25519.sign(message, key),
  };
}

export const nobleVerify: SignatureVerifier = (publicKey, message, signature) => {
  assertBytes(publicKey, PUBLIC_KEY_BYTES, 'publicKey');
  assertBytes(signature, SIGNATURE_BYTES, 'signature');
  if (!(message instanceof Uint8Array)) throw new TypeError('message: expected a Uint8Array');
  try {
    // RFC 8032 §5.1.7 strict verification (zip215: false): non-canonical encodings are rejected.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false; // e.g. a public key that does not decode to a point
  }
};

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, SECRET_KEY_BYTES, 'secretKey');
  return ed25519.getPublicKey(secretKey);
}

export function assertBytes(value: unknown, length: number, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
  if (value.length !== length) throw new RangeError(`${name}: expected ${length} bytes, got ${value.length}`);
}
