// Proof of possession (OwnershipClaimV1): the device key signs the owner's payout address, the claimed location
// and a fresh single-use nonce issued by the verifier. Only whoever holds the device (its key) can claim it,
// and a captured claim cannot be replayed.
//   payload {1: device id (bstr 8), 2: owner (tstr, 0x + 40 hex), 3: nonce (bstr 16), 4: latitude (int, microdegrees),
//            5: longitude (int, microdegrees), 6: signed at (Unix s)}
import { fromHex, toHex } from '../../core/bytes.js';
import { encodeCbor, type CborValue } from '../../core/cbor-codec.js';
import { signSign1 } from '../../core/cose-sign1.js';
import { deviceIdOf } from '../../core/device-id.js';
import type { SignatureVerifier, Signer } from '../../core/signer.js';
import type { LocationClaim } from '../types.js';
import { isValidLocation } from './area.js';
import { normaliseAddress } from './evm-account.js';
import { bytesField, openSignedRecord, textField, uintField } from './signed-record.js';

export const NONCE_BYTES = 16;

export interface OwnershipClaimV1 {
  deviceId: string;
  owner: string;
  nonce: string;
  location: LocationClaim;
  signedAt: number;
}

export function signOwnershipClaim(device: Signer, claim: { owner: string; nonce: string; location: LocationClaim; signedAt: number }): Uint8Array {
  const owner = normaliseAddress(claim.owner);
  if (!owner) throw new TypeError('owner: an EVM address (0x + 40 hex)');
  if (!/^[0-9a-f]{32}$/.test(claim.nonce)) throw new TypeError('nonce: 32 hex digits from the verifier');
  if (!isValidLocation(claim.location)) throw new RangeError('location: lat -90..90, lon -180..180');
  const payload = encodeCbor(
    new Map<number, CborValue>([
      [1, deviceIdOf(device.publicKey)],
      [2, owner],
      [3, fromHex(claim.nonce)],
      [4, Math.round(claim.location.lat * 1e6)],
      [5, Math.round(claim.location.lon * 1e6)],
      [6, claim.signedAt],
    ]),
  );
  return signSign1(payload, device);
}

export type ClaimCheck = { ok: true; claim: OwnershipClaimV1 } | { ok: false; code: 'claim_invalid'; detail: string };

/** Decode a claim and check it was signed by `devicePublicKey` (from the attestation). The nonce is checked by the caller. */
export function checkOwnershipClaim(message: Uint8Array, devicePublicKey: Uint8Array, verify: SignatureVerifier): ClaimCheck {
  const invalid = (detail: string): ClaimCheck => ({ ok: false, code: 'claim_invalid', detail });
  const record = openSignedRecord(message, verify);
  if (!record.ok) return invalid(record.detail);
  const f = record.fields;
  const deviceId = bytesField(f, 1, 8);
  const owner = normaliseAddress(textField(f, 2, 42));
  const nonce = bytesField(f, 3, NONCE_BYTES);
  const lat = f.get(4);
  const lon = f.get(5);
  const signedAt = uintField(f, 6);
  if (!deviceId || !owner || !nonce || typeof lat !== 'number' || typeof lon !== 'number' || signedAt === undefined || f.size !== 6) {
    return invalid('missing, unknown or mistyped field');
  }
  const location = { lat: lat / 1e6, lon: lon / 1e6 };
  if (!isValidLocation(location)) return invalid('location out of range');
  if (toHex(deviceId) !== toHex(deviceIdOf(devicePublicKey))) return invalid('claim names another device');
  if (!record.verify(devicePublicKey)) return invalid('not signed by the device key');
  return { ok: true, claim: { deviceId: toHex(deviceId), owner, nonce: toHex(nonce), location, signedAt } };
}
