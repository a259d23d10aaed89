import test from 'ava';
import fc from 'fast-check';
import { toHex } from '../../../src/core/bytes.js';
import { createNobleSigner, nobleVerify } from '../../../src/core/signer.js';
import { createNativeSigner, createNativeVerifier } from '../../../hosts/node/native-signer.js';

test('native and noble signers give byte-identical keys and signatures (property)', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (secret, message) => {
      const native = createNativeSigner(secret);
      const noble = createNobleSigner(secret);
      return toHex(native.publicKey) === toHex(noble.publicKey) && toHex(native.sign(message)) === toHex(noble.sign(message));
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('native verifier agrees with noble on valid and tampered signatures', (t) => {
  const verify = createNativeVerifier();
  const signer = createNativeSigner(new Uint8Array(32).fill(9));
  const message = new Uint8Array([1, 2, 3]);
  const sig = signer.sign(message);
  t.true(verify(signer.publicKey, message, sig));
  t.true(nobleVerify(signer.publicKey, message, sig));
  sig[10] ^= 4;
  t.false(verify(signer.publicKey, message, sig));
  t.false(nobleVerify(signer.publicKey, message, sig));
});

test('native verifier returns false for a public key that is not a curve point', (t) => {
  const verify = createNativeVerifier();
  const bogus = new Uint8Array(32).fill(0xff);
  t.false(verify(bogus, new Uint8Array(1), new Uint8Array(64)));
  t.false(verify(bogus, new Uint8Array(1), new Uint8Array(64))); // from the cache
});

test('native signer names a wrong-sized key', (t) => {
  t.throws(() => createNativeSigner(new Uint8Array(16)), { instanceOf: RangeError, message: /secretKey/ });
});
