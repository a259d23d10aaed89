// Manufacturer attestation (AttestationV1): at provisioning, a trusted fleet key signs the device's public key
// and model. The verifier registers only devices whose attestation verifies with a fleet key it trusts, so a
// key generated on a laptop cannot pose as hardware.
//   payload {1: device public key (bstr 32), 2: model (tstr), 3: sensor kinds [+ tstr], 4: issued at (Unix s),
//            5: fleet public key (bstr 32)}
import { encodeCbor } from '../../core/cbor-codec.js';
import { signSign1 } from '../../core/cose-sign1.js';
import { deviceIdOf, deviceIdText } from '../../core/device-id.js';
import type { SignatureVerifier, Signer } from '../../core/signer.js';
import { toHex } from '../../core/bytes.js';
import { bytesField, openSignedRecord, textField, uintField } from './signed-record.js';

export interface AttestationV1 {
  devicePublicKey: Uint8Array;
  model: string;
  sensorKinds: string[];
  issuedAt: number;
  fleetPublicKey: Uint8Array;
}

const MODEL = /^[a-z0-9][a-z0-9._-]{0,31}$/;

export function signAttestation(fleet: Signer, device: { publicKey: Uint8Array; model: string; sensorKinds: string[] }, issuedAt: number): Uint8Array {
  if (!MODEL.test(device.model)) throw new TypeError('model: lowercase letters, digits, . _ - (1 to 32)');
  if (!Array.isArray(device.sensorKinds) || device.sensorKinds.length === 0 || !device.sensorKinds.every((k) => MODEL.test(k))) {
    throw new TypeError('sensorKinds: one or more names like "bme280"');
  }
  const payload = encodeCbor(
    new Map<number, Uint8Array | string | string[] | number>([
      [1, device.publicKey],
      [2, device.model],
      [3, device.sensorKinds],
      [4, issuedAt],
      [5, fleet.publicKey],
    ]),
  );
  return signSign1(payload, fleet);
}

export type AttestationCheck = { ok: true; attestation: AttestationV1; deviceId: string } | { ok: false; code: 'attestation_invalid' | 'attestation_untrusted'; detail: string };

/** Decode and check an attestation against the trusted fleet keys (hex). */
export function checkAttestation(message: Uint8Array, trustedFleetKeys: ReadonlySet<string>, verify: SignatureVerifier): AttestationCheck {
  const invalid = (detail: string): AttestationCheck => ({ ok: false, code: 'attestation_invalid', detail });
  const record = openSignedRecord(message, verify);
  if (!record.ok) return invalid(record.detail);
  const f = record.fields;
  const devicePublicKey = bytesField(f, 1, 32);
  const model = textField(f, 2, 32);
  const kinds = f.get(3);
  const issuedAt = uintField(f, 4);
  const fleetPublicKey = bytesField(f, 5, 32);
  if (!devicePublicKey || !model || !MODEL.test(model) || issuedAt === undefined || !fleetPublicKey) return invalid('missing or mistyped field');
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => typeof k === 'string' && MODEL.test(k))) return invalid('sensor kinds');
  if (f.size !== 5) return invalid('unknown field');
  if (!trustedFleetKeys.has(toHex(fleetPublicKey))) return { ok: false, code: 'attestation_untrusted', detail: `fleet key ${toHex(fleetPublicKey)} is not trusted` };
  if (!record.verify(fleetPublicKey)) return invalid('signature does not verify with the fleet key it names');
  return {
    ok: true,
    attestation: { devicePublicKey, model, sensorKinds: kinds as string[], issuedAt, fleetPublicKey },
    deviceId: deviceIdText(deviceIdOf(devicePublicKey)),
  };
}
