// Onboarding and ownership transfer over a real SQLite ledger (':memory:'): registration needs a trusted
// attestation, a claim signed by the device key and a fresh single-use nonce; a transfer needs the current
// owner's EIP-191 signature and its own nonce. The owner wallet is the web3.js example key of
// test/vectors/eip191-personal-sign.json, whose address is the owner used across the tests.
import test, { type ExecutionContext } from 'ava';
import { fromHex, toHex } from '../../../src/core/bytes.js';
import { deviceIdOf, deviceIdText } from '../../../src/core/device-id.js';
import { createNobleSigner, nobleVerify, type Signer } from '../../../src/core/signer.js';
import { createSodiumVerifier } from '../../../hosts/node/sodium-verifier.js';
import { SqliteLedger } from '../../../src/verifier/ledger/sqlite-ledger.js';
import { areaOf } from '../../../src/verifier/registry/area.js';
import { signAttestation } from '../../../src/verifier/registry/attestation.js';
import { addressOfPrivateKey, personalSign } from '../../../src/verifier/registry/evm-account.js';
import { issueNonce, registerDevice, transferDevice, transferMessage, type OnboardingContext } from '../../../src/verifier/registry/onboarding.js';
import { signOwnershipClaim } from '../../../src/verifier/registry/ownership-claim.js';
import { loadVectors } from '../../helpers/vectors.js';

const T0 = 1_767_225_600;
const TTL_MS = 60_000;
const fleet = createNobleSigner(new Uint8Array(32).fill(1));
const rogueFleet = createNobleSigner(new Uint8Array(32).fill(9));
const device = createNobleSigner(new Uint8Array(32).fill(2));
const otherDevice = createNobleSigner(new Uint8Array(32).fill(3));
const deviceId = deviceIdText(deviceIdOf(device.publicKey));

const wallet = loadVectors<{ privateKey: string; address: string }>('eip191-personal-sign.json').vectors[0]!;
const ownerKey = fromHex(wallet.privateKey);
const owner = wallet.address;
const buyerKey = new Uint8Array(32).fill(7);
const buyer = addressOfPrivateKey(buyerKey);
const site = { lat: 47.37, lon: 8.54 };

async function onboarding(t: ExecutionContext) {
  const ledger = new SqliteLedger(':memory:');
  await ledger.open();
  t.teardown(() => ledger.close());
  const clock = { ms: T0 * 1000 };
  const ctx: OnboardingContext = { ledger, trustedFleetKeys: new Set([toHex(fleet.publicKey)]), verify: nobleVerify, now: () => clock.ms, nonceTtlMs: TTL_MS };
  return { ledger, ctx, clock };
}

const attestation = (d: Signer = device, by: Signer = fleet) => signAttestation(by, { publicKey: d.publicKey, model: 'esp32-bme280', sensorKinds: ['bme280'] }, T0);
const claim = (signer: Signer, nonce: string, claimedOwner = owner) => signOwnershipClaim(signer, { owner: claimedOwner, nonce, location: site, signedAt: T0 });

/** Register `device` for `owner` with a fresh nonce. */
async function registered(t: ExecutionContext) {
  const o = await onboarding(t);
  const { nonce } = await issueNonce(o.ctx);
  const r = await registerDevice(o.ctx, { attestation: attestation(), claim: claim(device, nonce) });
  if (!r.ok) throw new Error(`registration failed: ${r.code}`);
  return o;
}

const signTransfer = (nonce: string, to: string, key = ownerKey, from = owner, id = deviceId) => personalSign(transferMessage({ deviceId: id, from, to, nonce }), key);

// --- registration

test('a trusted attestation and a device-signed claim over a fresh nonce register an active, owned device', async (t) => {
  const { ctx, ledger } = await onboarding(t);
  const { nonce } = await issueNonce(ctx);
  const r = await registerDevice(ctx, { attestation: attestation(), claim: claim(device, nonce) });
  if (!r.ok) return t.fail(`${r.code}: ${r.detail}`);
  t.is(r.value.deviceId, deviceId);
  t.is(r.value.owner, owner);
  t.is(r.value.status, 'active');
  t.is(r.value.model, 'esp32-bme280');
  t.deepEqual(r.value.sensorKinds, ['bme280']);
  t.deepEqual(r.value.location, site);
  t.is(r.value.area, areaOf(site));
  t.is(r.value.registeredAt, T0 * 1000);
  const stored = await ledger.getDevice(deviceId);
  t.deepEqual(stored && { ...stored, publicKey: toHex(stored.publicKey), attestation: toHex(stored.attestation) }, {
    ...r.value,
    publicKey: toHex(device.publicKey),
    attestation: toHex(r.value.attestation),
  });
});

test('an attestation by an untrusted fleet key is attestation_untrusted and registers nothing', async (t) => {
  const { ctx, ledger } = await onboarding(t);
  const { nonce } = await issueNonce(ctx);
  const r = await registerDevice(ctx, { attestation: attestation(device, rogueFleet), claim: claim(device, nonce) });
  t.is(r.ok ? 'ok' : r.code, 'attestation_untrusted');
  t.deepEqual(await ledger.listDevices(), []);
});

test('a claim signed by another device key (naming our device) is claim_invalid', async (t) => {
  const { ctx, ledger } = await onboarding(t);
  const { nonce } = await issueNonce(ctx);
  const impostor: Signer = { publicKey: device.publicKey, sign: (m) => otherDevice.sign(m) };
  const r = await registerDevice(ctx, { attestation: attestation(), claim: claim(impostor, nonce) });
  t.false(r.ok);
  if (!r.ok) {
    t.is(r.code, 'claim_invalid');
    t.regex(r.detail, /not signed by the device key/);
  }
  t.deepEqual(await ledger.listDevices(), []);
});

// The identity point is a public key of small order: with it, R = identity and S = 0 "verify" for every message
// under the bare RFC 8032 equation (node:crypto accepts them), so anyone could sign as that device. The service
// verifies with libsodium, which refuses small-order keys: even a trusted attestation of one registers nothing.
test('a small-order device key, even attested by a trusted fleet key, is claim_invalid with the verifier the service uses', async (t) => {
  const { ctx, ledger } = await onboarding(t);
  const service = { ...ctx, verify: createSodiumVerifier() };
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const forged = new Uint8Array(64);
  forged.set(identity, 0);
  const smallOrder: Signer = { publicKey: identity, sign: () => forged };
  const { nonce } = await issueNonce(service);
  const r = await registerDevice(service, { attestation: attestation(smallOrder), claim: claim(smallOrder, nonce) });
  t.false(r.ok);
  if (!r.ok) t.is(r.code, 'claim_invalid');
  t.deepEqual(await ledger.listDevices(), []);
});

test("another device's own claim presented with our attestation is claim_invalid", async (t) => {
  const { ctx } = await onboarding(t);
  const { nonce } = await issueNonce(ctx);
  const r = await registerDevice(ctx, { attestation: attestation(), claim: claim(otherDevice, nonce) });
  t.is(r.ok ? 'ok' : r.code, 'claim_invalid');
});

test('a nonce the verifier never issued is nonce_invalid', async (t) => {
  const { ctx, ledger } = await onboarding(t);
  const r = await registerDevice(ctx, { attestation: attestation(), claim: claim(device, '00112233445566778899aabbccddeeff') });
  t.is(r.ok ? 'ok' : r.code, 'nonce_invalid');
  t.deepEqual(await ledger.listDevices(), []);
});

test('a nonce already used by a registration is nonce_invalid for the next one', async (t) => {
  const { ctx } = await onboarding(t);
  const { nonce } = await issueNonce(ctx);
  t.true((await registerDevice(ctx, { attestation: attestation(), claim: claim(device, nonce) })).ok);
  const second = await registerDevice(ctx, { attestation: attestation(otherDevice), claim: claim(otherDevice, nonce) });
  t.is(second.ok ? 'ok' : second.code, 'nonce_invalid');
});

test('an expired nonce is nonce_invalid', async (t) => {
  const { ctx, clock } = await onboarding(t);
  const { nonce, expiresAt } = await issueNonce(ctx);
  t.is(expiresAt, clock.ms + TTL_MS);
  clock.ms = expiresAt; // expiry is exclusive: at expiresAt the nonce is gone
  const r = await registerDevice(ctx, { attestation: attestation(), claim: claim(device, nonce) });
  t.is(r.ok ? 'ok' : r.code, 'nonce_invalid');
});

test('a nonce is good until just before it expires', async (t) => {
  const { ctx, clock } = await onboarding(t);
  const { nonce, expiresAt } = await issueNonce(ctx);
  clock.ms = expiresAt - 1;
  t.true((await registerDevice(ctx, { attestation: attestation(), claim: claim(device, nonce) })).ok);
});

test('failed requests do not burn the nonce: it still registers the device afterwards', async (t) => {
  const { ctx } = await onboarding(t);
  const { nonce } = await issueNonce(ctx);
  const impostor: Signer = { publicKey: device.publicKey, sign: (m) => otherDevice.sign(m) };
  const failures = [
    await registerDevice(ctx, { attestation: attestation(device, rogueFleet), claim: claim(device, nonce) }),
    await registerDevice(ctx, { attestation: attestation(), claim: claim(impostor, nonce) }),
    await registerDevice(ctx, { attestation: new Uint8Array([0xd2, 0x84]), claim: claim(device, nonce) }),
    await registerDevice(ctx, { attestation: attestation(), claim: new Uint8Array(0) }),
  ];
  t.deepEqual(failures.map((r) => (r.ok ? 'ok' : r.code)), ['attestation_untrusted', 'claim_invalid', 'attestation_invalid', 'claim_invalid']);
  t.true((await registerDevice(ctx, { attestation: attestation(), claim: claim(device, nonce) })).ok);
});

test('a second registration of the same device is device_exists and keeps the first owner', async (t) => {
  const { ctx, ledger } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  const again = await registerDevice(ctx, { attestation: attestation(), claim: claim(device, nonce, buyer) });
  t.is(again.ok ? 'ok' : again.code, 'device_exists');
  t.is((await ledger.getDevice(deviceId))?.owner, owner);
  t.is((await ledger.listDevices()).length, 1);
});

test('a refused second registration (device_exists) does not spend its nonce', async (t) => {
  const { ctx } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  const again = await registerDevice(ctx, { attestation: attestation(), claim: claim(device, nonce) });
  t.is(again.ok ? 'ok' : again.code, 'device_exists');
  const other = await registerDevice(ctx, { attestation: attestation(otherDevice), claim: claim(otherDevice, nonce) });
  t.true(other.ok, 'the nonce was still good for another device');
});

// --- transfer

test("a transfer signed by the current owner's wallet moves the device and is recorded", async (t) => {
  const { ctx, ledger, clock } = await registered(t);
  clock.ms += 5000;
  const { nonce } = await issueNonce(ctx);
  const signature = signTransfer(nonce, buyer);
  const r = await transferDevice(ctx, { deviceId, to: buyer, nonce, signature });
  if (!r.ok) return t.fail(`${r.code}: ${r.detail}`);
  t.is(r.value.owner, buyer);
  t.is((await ledger.getDevice(deviceId))?.owner, buyer);
  const transfers = await ledger.listTransfers(deviceId);
  t.is(transfers.length, 1);
  t.like(transfers[0], { deviceId, from: owner, to: buyer, at: clock.ms });
  t.is(toHex(transfers[0]!.evidence), toHex(signature));
});

test('a transfer to a mixed-case (EIP-55) address is stored in lower case', async (t) => {
  const { ctx, ledger } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  const mixed = '0x' + buyer.slice(2).toUpperCase();
  const r = await transferDevice(ctx, { deviceId, to: mixed, nonce, signature: signTransfer(nonce, buyer) });
  t.true(r.ok);
  t.is((await ledger.getDevice(deviceId))?.owner, buyer);
});

test('the new owner can transfer the device on, the previous owner no longer can', async (t) => {
  const { ctx, ledger } = await registered(t);
  const n1 = (await issueNonce(ctx)).nonce;
  t.true((await transferDevice(ctx, { deviceId, to: buyer, nonce: n1, signature: signTransfer(n1, buyer) })).ok);
  const n2 = (await issueNonce(ctx)).nonce;
  const byOld = await transferDevice(ctx, { deviceId, to: owner, nonce: n2, signature: signTransfer(n2, owner, ownerKey, owner) });
  t.is(byOld.ok ? 'ok' : byOld.code, 'not_owner');
  t.true((await transferDevice(ctx, { deviceId, to: owner, nonce: n2, signature: signTransfer(n2, owner, buyerKey, buyer) })).ok);
  t.deepEqual((await ledger.listTransfers(deviceId)).map((x) => [x.from, x.to]), [[owner, buyer], [buyer, owner]]);
});

test('a transfer signed by someone other than the owner is not_owner, changes nothing and keeps the nonce', async (t) => {
  const { ctx, ledger } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  const r = await transferDevice(ctx, { deviceId, to: buyer, nonce, signature: signTransfer(nonce, buyer, buyerKey) });
  t.is(r.ok ? 'ok' : r.code, 'not_owner');
  t.is((await ledger.getDevice(deviceId))?.owner, owner);
  t.deepEqual(await ledger.listTransfers(deviceId), []);
  t.true((await transferDevice(ctx, { deviceId, to: buyer, nonce, signature: signTransfer(nonce, buyer) })).ok);
});

test('an owner signature over other terms (another recipient) is not_owner', async (t) => {
  const { ctx, ledger } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  const r = await transferDevice(ctx, { deviceId, to: buyer, nonce, signature: signTransfer(nonce, '0x' + '33'.repeat(20)) });
  t.is(r.ok ? 'ok' : r.code, 'not_owner');
  t.is((await ledger.getDevice(deviceId))?.owner, owner);
});

test('a malformed signature is not_owner', async (t) => {
  const { ctx } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  for (const signature of [new Uint8Array(0), new Uint8Array(65), new Uint8Array(64).fill(1)]) {
    const r = await transferDevice(ctx, { deviceId, to: buyer, nonce, signature });
    t.is(r.ok ? 'ok' : r.code, 'not_owner');
  }
});

test('a transfer to a malformed address is transfer_invalid', async (t) => {
  const { ctx, ledger } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  for (const to of ['', '0x1234', buyer.slice(2), `${buyer}00`, '0xzz' + buyer.slice(4)]) {
    const r = await transferDevice(ctx, { deviceId, to, nonce, signature: signTransfer(nonce, buyer) });
    t.is(r.ok ? 'ok' : r.code, 'transfer_invalid', to);
  }
  t.is((await ledger.getDevice(deviceId))?.owner, owner);
});

test('a transfer of an unknown device is unknown_device', async (t) => {
  const { ctx } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  const unknown = deviceIdText(deviceIdOf(otherDevice.publicKey));
  const r = await transferDevice(ctx, { deviceId: unknown, to: buyer, nonce, signature: signTransfer(nonce, buyer, ownerKey, owner, unknown) });
  t.is(r.ok ? 'ok' : r.code, 'unknown_device');
});

test('a device without an owner cannot be transferred (not_owner)', async (t) => {
  const { ctx, ledger } = await registered(t);
  const ownerless = { ...(await ledger.getDevice(deviceId))!, deviceId: deviceIdText(deviceIdOf(otherDevice.publicKey)), publicKey: otherDevice.publicKey, owner: null };
  await ledger.putDevice(ownerless);
  const { nonce } = await issueNonce(ctx);
  const r = await transferDevice(ctx, { deviceId: ownerless.deviceId, to: buyer, nonce, signature: signTransfer(nonce, buyer) });
  t.is(r.ok ? 'ok' : r.code, 'not_owner');
});

test('a transfer nonce is single use', async (t) => {
  const { ctx, ledger } = await registered(t);
  const { nonce } = await issueNonce(ctx);
  t.true((await transferDevice(ctx, { deviceId, to: buyer, nonce, signature: signTransfer(nonce, buyer) })).ok);
  // the new owner signs a transfer back with the same nonce: refused, nothing changes
  const again = await transferDevice(ctx, { deviceId, to: owner, nonce, signature: signTransfer(nonce, owner, buyerKey, buyer) });
  t.is(again.ok ? 'ok' : again.code, 'nonce_invalid');
  t.is((await ledger.getDevice(deviceId))?.owner, buyer);
  t.is((await ledger.listTransfers(deviceId)).length, 1);
});

test('a transfer with a nonce never issued, or expired, is nonce_invalid', async (t) => {
  const { ctx, clock } = await registered(t);
  const unknown = '00112233445566778899aabbccddeeff';
  t.is(await transferDevice(ctx, { deviceId, to: buyer, nonce: unknown, signature: signTransfer(unknown, buyer) }).then((r) => (r.ok ? 'ok' : r.code)), 'nonce_invalid');
  const { nonce, expiresAt } = await issueNonce(ctx);
  clock.ms = expiresAt;
  t.is(await transferDevice(ctx, { deviceId, to: buyer, nonce, signature: signTransfer(nonce, buyer) }).then((r) => (r.ok ? 'ok' : r.code)), 'nonce_invalid');
});

// BUG src/verifier/registry/onboarding.ts:79-87: transferDevice reads the owner (line 79), checks the signature
// and takes the nonce, then calls ledger.transferDevice (line 87), which refuses with a RangeError when the owner
// changed in between (write-rules.ts checkTransferFrom). Two owner-signed transfers in flight at once: the second
// rejects with that RangeError (HTTP 500 "internal error") instead of returning not_owner, and its nonce is burned.
// Fix: catch the ledger's refusal and return { ok: false, code: 'not_owner' } (or check and consume the nonce inside
// the ledger's transaction).
test('two concurrent owner-signed transfers: one succeeds, the other is refused as not_owner, not thrown', async (t) => {
  const { ctx, ledger } = await registered(t);
  const n1 = (await issueNonce(ctx)).nonce;
  const n2 = (await issueNonce(ctx)).nonce;
  const other = '0x' + '22'.repeat(20);
  const results = await Promise.allSettled([
    transferDevice(ctx, { deviceId, to: buyer, nonce: n1, signature: signTransfer(n1, buyer) }),
    transferDevice(ctx, { deviceId, to: other, nonce: n2, signature: signTransfer(n2, other) }),
  ]);
  t.deepEqual(results.map((r) => (r.status === 'rejected' ? `threw ${(r.reason as Error).name}` : r.value.ok ? 'ok' : r.value.code)), ['ok', 'not_owner']);
  t.is((await ledger.listTransfers(deviceId)).length, 1);
});
