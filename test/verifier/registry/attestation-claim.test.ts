import test from 'ava';
import { toHex } from '../../../src/core/bytes.js';
import { deviceIdOf, deviceIdText } from '../../../src/core/device-id.js';
import { createNobleSigner, nobleVerify } from '../../../src/core/signer.js';
import { areaOf } from '../../../src/verifier/registry/area.js';
import { checkAttestation, signAttestation } from '../../../src/verifier/registry/attestation.js';
import { checkOwnershipClaim, signOwnershipClaim } from '../../../src/verifier/registry/ownership-claim.js';

const fleet = createNobleSigner(new Uint8Array(32).fill(1));
const device = createNobleSigner(new Uint8Array(32).fill(2));
const trusted = new Set([toHex(fleet.publicKey)]);
const owner = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';
const nonce = '00112233445566778899aabbccddeeff';

test('an attestation by a trusted fleet key checks out and names the device', (t) => {
  const att = signAttestation(fleet, { publicKey: device.publicKey, model: 'esp32-bme280', sensorKinds: ['bme280'] }, 1_767_225_600);
  const r = checkAttestation(att, trusted, nobleVerify);
  t.true(r.ok);
  if (r.ok) {
    t.is(r.deviceId, deviceIdText(deviceIdOf(device.publicKey)));
    t.is(r.attestation.model, 'esp32-bme280');
  }
});

test('an attestation by an untrusted key is refused as untrusted', (t) => {
  const rogue = createNobleSigner(new Uint8Array(32).fill(9));
  const r = checkAttestation(signAttestation(rogue, { publicKey: device.publicKey, model: 'x', sensorKinds: ['y'] }, 1), trusted, nobleVerify);
  t.true(!r.ok && r.code === 'attestation_untrusted');
});

test('an attestation naming a trusted key but signed by another is invalid', (t) => {
  const rogue = createNobleSigner(new Uint8Array(32).fill(9));
  const forged = { publicKey: fleet.publicKey, sign: (m: Uint8Array) => rogue.sign(m) };
  const r = checkAttestation(signAttestation(forged, { publicKey: device.publicKey, model: 'x', sensorKinds: ['y'] }, 1), trusted, nobleVerify);
  t.true(!r.ok && r.code === 'attestation_invalid');
});

test('junk is an invalid attestation, not an exception', (t) => {
  for (const junk of [new Uint8Array(0), new Uint8Array([0xd2, 0x84]), new Uint8Array(100).fill(0xff)]) {
    const r = checkAttestation(junk, trusted, nobleVerify);
    t.true(!r.ok && r.code === 'attestation_invalid');
  }
});

test('an ownership claim signed by the device checks out', (t) => {
  const claim = signOwnershipClaim(device, { owner, nonce, location: { lat: 47.3769, lon: 8.5417 }, signedAt: 1_767_225_600 });
  const r = checkOwnershipClaim(claim, device.publicKey, nobleVerify);
  t.true(r.ok);
  if (r.ok) {
    t.is(r.claim.owner, owner);
    t.is(r.claim.nonce, nonce);
    t.deepEqual(r.claim.location, { lat: 47.3769, lon: 8.5417 });
  }
});

test('a claim signed by another key, or for another device, is refused', (t) => {
  const other = createNobleSigner(new Uint8Array(32).fill(3));
  const claim = signOwnershipClaim(other, { owner, nonce, location: { lat: 1, lon: 1 }, signedAt: 1 });
  const r = checkOwnershipClaim(claim, device.publicKey, nobleVerify);
  t.true(!r.ok && /another device/.test(r.detail));
});

test('claims refuse bad owners, nonces and locations when built', (t) => {
  t.throws(() => signOwnershipClaim(device, { owner: 'me', nonce, location: { lat: 1, lon: 1 }, signedAt: 1 }), { message: /owner/ });
  t.throws(() => signOwnershipClaim(device, { owner, nonce: 'abc', location: { lat: 1, lon: 1 }, signedAt: 1 }), { message: /nonce/ });
  t.throws(() => signOwnershipClaim(device, { owner, nonce, location: { lat: 91, lon: 1 }, signedAt: 1 }), { message: /location/ });
});

test('areas are grid cells: near points share one, far points do not', (t) => {
  t.is(areaOf({ lat: 47.37, lon: 8.54 }), areaOf({ lat: 47.31, lon: 8.51 }));
  t.not(areaOf({ lat: 47.37, lon: 8.54 }), areaOf({ lat: 47.47, lon: 8.54 }));
  t.throws(() => areaOf({ lat: 100, lon: 0 }), { instanceOf: RangeError });
});
