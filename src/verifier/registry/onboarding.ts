// Onboarding and ownership transfer: the only ways a device or an owner enters the ledger.
// Register = manufacturer attestation (a trusted fleet key vouches for the device key and model)
//          + proof of possession (the device key signs the owner, location and a fresh nonce).
// Transfer = the current owner's wallet signs (EIP-191) the device, the new owner and a fresh nonce.
import { randomBytes } from 'node:crypto';
import type { SignatureVerifier } from '../../core/signer.js';
import type { Ledger } from '../ledger/ledger.js';
import type { DeviceRecordV1 } from '../types.js';
import { areaOf } from './area.js';
import { checkAttestation } from './attestation.js';
import { normaliseAddress, recoverPersonalSigner } from './evm-account.js';
import { checkOwnershipClaim } from './ownership-claim.js';

export type OnboardingCode =
  | 'attestation_invalid'
  | 'attestation_untrusted'
  | 'claim_invalid'
  | 'nonce_invalid'
  | 'device_exists'
  | 'unknown_device'
  | 'transfer_invalid'
  | 'not_owner';

export type OnboardingResult<T> = { ok: true; value: T } | { ok: false; code: OnboardingCode; detail: string };

export interface OnboardingContext {
  ledger: Ledger;
  trustedFleetKeys: ReadonlySet<string>;
  verify: SignatureVerifier;
  now: () => number;
  areaDegrees?: number;
  nonceTtlMs?: number;
}

/** Issue a single-use nonce for a claim or a transfer. */
export async function issueNonce(ctx: OnboardingContext): Promise<{ nonce: string; expiresAt: number }> {
  const nonce = randomBytes(16).toString('hex');
  const expiresAt = ctx.now() + (ctx.nonceTtlMs ?? 10 * 60_000);
  await ctx.ledger.putNonce(nonce, expiresAt);
  return { nonce, expiresAt };
}

export async function registerDevice(ctx: OnboardingContext, request: { attestation: Uint8Array; claim: Uint8Array }): Promise<OnboardingResult<DeviceRecordV1>> {
  const attested = checkAttestation(request.attestation, ctx.trustedFleetKeys, ctx.verify);
  if (!attested.ok) return attested;
  const claimed = checkOwnershipClaim(request.claim, attested.attestation.devicePublicKey, ctx.verify);
  if (!claimed.ok) return claimed;
  if (await ctx.ledger.getDevice(attested.deviceId)) {
    return { ok: false, code: 'device_exists', detail: `device ${attested.deviceId} is already registered; use a signed transfer to change its owner` };
  }
  // The nonce is consumed last, after every check passed, so a bad request cannot burn a good nonce.
  if (!(await ctx.ledger.takeNonce(claimed.claim.nonce, ctx.now()))) {
    return { ok: false, code: 'nonce_invalid', detail: 'nonce unknown, used or expired: ask for a new one' };
  }
  const device: DeviceRecordV1 = {
    deviceId: attested.deviceId,
    publicKey: attested.attestation.devicePublicKey,
    model: attested.attestation.model,
    sensorKinds: attested.attestation.sensorKinds,
    location: claimed.claim.location,
    area: areaOf(claimed.claim.location, ctx.areaDegrees),
    owner: claimed.claim.owner,
    status: 'active',
    registeredAt: ctx.now(),
    attestation: request.attestation,
  };
  if ((await ctx.ledger.putDevice(device)) === 'exists') {
    return { ok: false, code: 'device_exists', detail: `device ${device.deviceId} is already registered; use a signed transfer to change its owner` };
  }
  return { ok: true, value: device };
}

/** The text an owner's wallet signs to hand a device to someone else (EIP-191 personal_sign). */
export function transferMessage(t: { deviceId: string; from: string; to: string; nonce: string }): string {
  return `fieldproof ownership transfer v1\ndevice: ${t.deviceId}\nfrom: ${t.from}\nto: ${t.to}\nnonce: ${t.nonce}`;
}

export async function transferDevice(
  ctx: OnboardingContext,
  request: { deviceId: string; to: string; nonce: string; signature: Uint8Array },
): Promise<OnboardingResult<DeviceRecordV1>> {
  const device = await ctx.ledger.getDevice(request.deviceId);
  if (!device) return { ok: false, code: 'unknown_device', detail: `no device ${request.deviceId}` };
  const to = normaliseAddress(request.to);
  if (!to) return { ok: false, code: 'transfer_invalid', detail: 'to: an EVM address (0x + 40 hex)' };
  if (!device.owner) return { ok: false, code: 'not_owner', detail: 'the device has no owner to transfer from; claim it with a proof of possession' };
  const signer = recoverPersonalSigner(transferMessage({ deviceId: device.deviceId, from: device.owner, to, nonce: request.nonce }), request.signature);
  if (signer !== device.owner) return { ok: false, code: 'not_owner', detail: 'the transfer is not signed by the current owner' };
  if (!(await ctx.ledger.takeNonce(request.nonce, ctx.now()))) return { ok: false, code: 'nonce_invalid', detail: 'nonce unknown, used or expired' };
  try {
    // The ledger refuses (RangeError) when the owner changed since we read it: a concurrent transfer won.
    await ctx.ledger.transferDevice({ deviceId: device.deviceId, from: device.owner, to, at: ctx.now(), evidence: request.signature });
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, code: 'not_owner', detail: `the owner changed while this transfer was checked: ${error.message}` };
    throw error;
  }
  return { ok: true, value: { ...device, owner: to } };
}
