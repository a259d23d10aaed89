// Ed25519 on node:crypto (OpenSSL): the desktop's fast path. RFC 8032 signatures are deterministic, so this
// signs byte-identically to the portable noble signer (test/hosts/node/native-signer.test.ts proves it).
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { assertBytes, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, SIGNATURE_BYTES, type SignatureVerifier, type Signer } from '../../src/core/signer.js';

// DER prefixes of RFC 8410 §7 (PKCS #8 private key) and §4 (SubjectPublicKeyInfo) for id-Ed25519.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function createNativeSigner(secretKey: Uint8Array): Signer {
  assertBytes(secretKey, SECRET_KEY_BYTES, 'secretKey');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  return {
    publicKey,
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  assertBytes(publicKey, PUBLIC_KEY_BYTES, 'publicKey');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** A verifier that caches one KeyObject per public key (parsing the key costs more than a verify). */
export function createNativeVerifier(maxCachedKeys = 100_000): SignatureVerifier {
  const cache = new Map<string, KeyObject | null>();
  return (publicKey, message, signature) => {
    assertBytes(publicKey, PUBLIC_KEY_BYTES, 'publicKey');
    assertBytes(signature, SIGNATURE_BYTES, 'signature');
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('latin1');
    let key = cache.get(id);
    if (key === undefined) {
      try {
        key = publicKeyObject(publicKey);
      } catch {
        key = null; // not a valid point: every signature fails
      }
      if (cache.size >= maxCachedKeys) cache.delete(cache.keys().next().value!);
      cache.set(id, key);
    }
    if (key === null) return false;
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
}
