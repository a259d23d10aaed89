// The two onboarding calls of the verifier's HTTP API (src/verifier/http/api.ts) that the bench tools make:
// a fresh single-use nonce, then the registration (attestation + claim). Shared by `fieldproof register` (a desktop
// node) and `fieldproof provision-serial` (a device on the bench).
import { toHex } from '../core/bytes.js';
import { FieldproofError } from '../core/errors.js';

export async function requestNonce(verifier: string): Promise<string> {
  const response = await fetch(new URL('/v1/nonces', verifier), { method: 'POST' });
  if (!response.ok) throw new FieldproofError('FP_E_REGISTRATION_REFUSED', `verifier ${verifier}: HTTP ${response.status} when asking for a nonce`);
  const { nonce } = (await response.json()) as { nonce?: unknown };
  if (typeof nonce !== 'string' || !/^[0-9a-f]{32}$/.test(nonce)) throw new FieldproofError('FP_E_REGISTRATION_REFUSED', `verifier ${verifier}: no valid nonce in its answer`);
  return nonce;
}

export interface RegisteredDevice {
  deviceId: string;
  owner?: string;
  [field: string]: unknown;
}

export async function submitRegistration(verifier: string, attestation: Uint8Array, claim: Uint8Array): Promise<RegisteredDevice> {
  const response = await fetch(new URL('/v1/devices', verifier), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ attestation: toHex(attestation), claim: toHex(claim) }),
  });
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string; deviceId?: string };
  if (!response.ok) throw new FieldproofError('FP_E_REGISTRATION_REFUSED', `registration refused: ${body.code ?? `HTTP ${response.status}`} (${body.message ?? 'no reason given'})`);
  return body as RegisteredDevice;
}
