import test from 'ava';
import { fromHex, toHex } from '../../src/core/bytes.js';
import { createNobleSigner, nobleVerify, setPrecomputeWindow } from '../../src/core/signer.js';
import { loadVectors } from '../helpers/vectors.js';

interface Rfc8032 {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}
const { vectors } = loadVectors<Rfc8032>('rfc8032-ed25519.json');

test('noble signer reproduces every RFC 8032 §7.1 vector', (t) => {
  for (const v of vectors) {
    const signer = createNobleSigner(fromHex(v.secretKey));
    t.is(toHex(signer.publicKey), v.publicKey, v.name);
    t.is(toHex(signer.sign(fromHex(v.message))), v.signature, v.name);
    t.true(nobleVerify(fromHex(v.publicKey), fromHex(v.message), fromHex(v.signature)), v.name);
  }
});

test('signatures do not depend on the precompute window', (t) => {
  const v = vectors[1]!;
  for (const window of [1, 2, 4, 6, 8]) {
    setPrecomputeWindow(window);
    t.is(toHex(createNobleSigner(fromHex(v.secretKey)).sign(fromHex(v.message))), v.signature, `window ${window}`);
  }
  setPrecomputeWindow(8);
});

test('verify returns false, not an exception, for a bad signature or a key off the curve', (t) => {
  const v = vectors[0]!;
  const sig = fromHex(v.signature);
  sig[0] ^= 1;
  t.false(nobleVerify(fromHex(v.publicKey), fromHex(v.message), sig));
  // a non-canonical S (S + L) must be refused by strict RFC 8032 §5.1.7 verification
  t.false(nobleVerify(new Uint8Array(32).fill(0xff), fromHex(v.message), fromHex(v.signature)));
});

test('wrong-shaped arguments throw errors that name the parameter', (t) => {
  t.throws(() => createNobleSigner(new Uint8Array(31)), { instanceOf: RangeError, message: /secretKey/ });
  t.throws(() => nobleVerify(new Uint8Array(32), new Uint8Array(0), new Uint8Array(10)), { instanceOf: RangeError, message: /signature/ });
  t.throws(() => setPrecomputeWindow(0), { instanceOf: RangeError, message: /precomputeWindow/ });
});
