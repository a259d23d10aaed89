// Device identity: derived from the Ed25519 public key, so it cannot be chosen and needs no registry to mint.
// deviceId = first 8 bytes of SHA-256(publicKey) (FIPS 180-4); its text form (topics, APIs) is 16 lowercase
// hex digits. 64 bits keeps readings small; collisions are refused at registration (docs/PROTOCOL.md §Identity).
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from './bytes.js';
import { assertBytes, PUBLIC_KEY_BYTES } from './signer.js';

export const DEVICE_ID_BYTES = 8;

export function deviceIdOf(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, PUBLIC_KEY_BYTES, 'publicKey');
  return sha256(publicKey).slice(0, DEVICE_ID_BYTES);
}

export function deviceIdText(deviceId: Uint8Array): string {
  assertBytes(deviceId, DEVICE_ID_BYTES, 'deviceId');
  return toHex(deviceId);
}

export function isDeviceIdText(text: string): boolean {
  return typeof text === 'string' && /^[0-9a-f]{16}$/.test(text);
}
