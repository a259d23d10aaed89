import test from 'ava';
import { fromHex, toHex } from '../../src/core/bytes.js';
import { encodeCbor, Tag } from '../../src/core/cbor-codec.js';
import { decodeSign1, PROTECTED_EDDSA, sigStructure, signSign1, verifySign1 } from '../../src/core/cose-sign1.js';
import { createNobleSigner, nobleVerify } from '../../src/core/signer.js';
import { loadVectors } from '../helpers/vectors.js';

interface CoseVector {
  name: string;
  publicKey: string;
  secretKey: string;
  payloadText: string;
  toBeSigned: string;
  cose: string;
}

const secret = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const signer = createNobleSigner(secret);

test('the protected header is exactly {1: -8}', (t) => {
  t.is(toHex(PROTECTED_EDDSA), 'a10127');
});

test('Sig_structure matches a generic CBOR encoding of RFC 9052 §4.4', (t) => {
  for (const size of [0, 23, 24, 255, 256, 70000]) {
    const payload = new Uint8Array(size).fill(7);
    const generic = encodeCbor(['Signature1', PROTECTED_EDDSA, new Uint8Array(0), payload]);
    t.is(toHex(sigStructure(PROTECTED_EDDSA, payload)), toHex(generic), `payload of ${size} bytes`);
  }
});

test('COSE WG example eddsa-sig-01: our Sig_structure and signature match', (t) => {
  const { vectors } = loadVectors<CoseVector>('cose-wg-sign1-eddsa.json');
  for (const v of vectors) {
    const message = fromHex(v.cose);
    // The example's protected header carries a content type too ({1:-8, 3:0}), so it is not a v1 reading
    // envelope; take its parts generically and check the RFC 9052 arithmetic.
    const tag = new Tag(null, 18);
    t.truthy(tag);
    const payload = new TextEncoder().encode(v.payloadText);
    const protectedBytes = extractProtected(message);
    t.is(toHex(sigStructure(protectedBytes, payload)), v.toBeSigned, v.name);
    const signature = message.slice(message.length - 64);
    t.true(nobleVerify(fromHex(v.publicKey), fromHex(v.toBeSigned), signature));
    t.is(toHex(createNobleSigner(fromHex(v.secretKey)).sign(fromHex(v.toBeSigned))), toHex(signature));
  }
});

function extractProtected(message: Uint8Array): Uint8Array {
  // d2 84 <bstr protected> ...: the protected bstr is short in the WG examples (header 0x40 | length)
  if (message[0] !== 0xd2 || message[1] !== 0x84 || (message[2]! & 0xe0) !== 0x40) throw new Error('unexpected example layout');
  return message.slice(3, 3 + (message[2]! & 0x1f));
}

test('signs and verifies a round trip', (t) => {
  const msg = signSign1(new Uint8Array([1, 2, 3]), signer);
  const parsed = decodeSign1(msg);
  if (!parsed.ok) return t.fail(parsed.detail);
  t.true(verifySign1(parsed.parts, signer.publicKey, nobleVerify));
  t.deepEqual([...parsed.parts.payload], [1, 2, 3]);
});

test('a flipped bit anywhere in payload or signature fails verification', (t) => {
  const msg = signSign1(new Uint8Array(40).fill(9), signer);
  for (let i = 7; i < msg.length; i++) {
    const bad = msg.slice();
    bad[i] ^= 0x01;
    const parsed = decodeSign1(bad);
    if (parsed.ok) t.false(verifySign1(parsed.parts, signer.publicKey, nobleVerify), `byte ${i}`);
  }
});

test('another key does not verify', (t) => {
  const other = createNobleSigner(new Uint8Array(32).fill(3));
  const parsed = decodeSign1(signSign1(new Uint8Array([5]), signer));
  t.true(parsed.ok && !verifySign1(parsed.parts, other.publicKey, nobleVerify));
});

test('gives envelope reasons for wrong shapes', (t) => {
  const sig = new Uint8Array(64);
  const reason = (value: Parameters<typeof encodeCbor>[0]) => {
    const r = decodeSign1(encodeCbor(value));
    return r.ok ? 'ok' : r.reason;
  };
  t.is(reason([PROTECTED_EDDSA, new Map(), new Uint8Array(1), sig]), 'not_cose_sign1'); // untagged
  t.is(reason(new Tag([PROTECTED_EDDSA, new Map(), new Uint8Array(1)], 18)), 'not_cose_sign1');
  t.is(reason(new Tag([PROTECTED_EDDSA, new Map(), null, sig], 18)), 'not_cose_sign1'); // detached payload
  t.is(reason(new Tag([PROTECTED_EDDSA, new Map(), new Uint8Array(1), new Uint8Array(63)], 18)), 'not_cose_sign1');
  t.is(reason(new Tag([encodeCbor(new Map([[1, -7]])), new Map(), new Uint8Array(1), sig], 18)), 'unsupported_alg'); // ES256
  t.is(reason(new Tag([encodeCbor(new Map([[1, -8], [3, 0]])), new Map(), new Uint8Array(1), sig], 18)), 'unsupported_alg');
  t.is(reason(new Tag([PROTECTED_EDDSA, new Map([[4, new Uint8Array(1)]]), new Uint8Array(1), sig], 18)), 'not_cose_sign1');
  t.is(reason(new Tag([PROTECTED_EDDSA, new Map(), new Uint8Array(1), sig], 17)), 'unsupported'); // tag 17 not allowed
  t.is(decodeSign1(new Uint8Array(2000)).ok ? 'ok' : 'rejected', 'rejected');
});
