import test from 'ava';
import fc from 'fast-check';
import { fromHex } from '../../../src/core/bytes.js';
import { nobleVerify } from '../../../src/core/signer.js';
import { createNativeSigner, createNativeVerifier } from '../../../hosts/node/native-signer.js';
import { createSodiumVerifier } from '../../../hosts/node/sodium-verifier.js';
import { loadVectors } from '../../helpers/vectors.js';

const verify = createSodiumVerifier();

test('sodium verifier accepts every RFC 8032 test vector', (t) => {
  const file = loadVectors<{ publicKey: string; message: string; signature: string }>('rfc8032-ed25519.json');
  for (const v of file.vectors) t.true(verify(fromHex(v.publicKey), fromHex(v.message), fromHex(v.signature)));
});

test('sodium verifier agrees with node:crypto and noble on valid and tampered signatures (property)', (t) => {
  const native = createNativeVerifier();
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), fc.nat(63), fc.integer({ min: 1, max: 255 }), (secret, message, at, flip) => {
      const signer = createNativeSigner(secret);
      const signature = signer.sign(message);
      if (!verify(signer.publicKey, message, signature)) return false;
      const tampered = signature.slice();
      tampered[at] ^= flip;
      const answers = [verify(signer.publicKey, message, tampered), native(signer.publicKey, message, tampered), nobleVerify(signer.publicKey, message, tampered)];
      return answers.every((a) => a === false);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('sodium verifier refuses a wrong message and another key', (t) => {
  const signer = createNativeSigner(new Uint8Array(32).fill(3));
  const other = createNativeSigner(new Uint8Array(32).fill(4));
  const message = new Uint8Array([1, 2, 3]);
  const signature = signer.sign(message);
  t.false(verify(signer.publicKey, new Uint8Array([1, 2, 4]), signature));
  t.false(verify(other.publicKey, message, signature));
});

// Stricter than RFC 8032 alone (see sodium-verifier.ts): the identity point (encoded 01 00 .. 00) is a public key
// of small order, for which S = 0 and R = identity satisfy the verification equation for every message.
test('sodium verifier refuses a small-order public key that the plain RFC 8032 equation accepts', (t) => {
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const signature = new Uint8Array(64);
  signature.set(identity, 0); // R = identity, S = 0
  const message = new Uint8Array([42]);
  t.false(verify(identity, message, signature));
});

test('sodium verifier names wrong-shaped arguments with a TypeError or RangeError', (t) => {
  t.throws(() => verify(new Uint8Array(31), new Uint8Array(1), new Uint8Array(64)), { message: /publicKey/ });
  t.throws(() => verify(new Uint8Array(32), new Uint8Array(1), new Uint8Array(63)), { message: /signature/ });
  t.throws(() => verify(new Uint8Array(32), 'text' as unknown as Uint8Array, new Uint8Array(64)), { instanceOf: TypeError, message: /message/ });
});
