// Ed25519 verification on libsodium (sodium-native): the verifier's signature check. Measured in `npm run bench`
// against node:crypto with cached KeyObjects on the same Sig_structures, it verifies about twice as fast.
//
// libsodium's crypto_sign_verify_detached is RFC 8032 §5.1.7 verification (cofactorless, the encoded R compared
// byte for byte) with stricter input checks than OpenSSL: S must be canonical (S < L), the public key must be a
// canonical encoding, and neither the public key nor R may be a point of small order. Signatures from an honest
// signer never trip these; what they refuse are crafted keys and signatures (docs/PROTOCOL.md §2.1). A key of
// small order cannot be registered either: its proof of possession is checked with this same function.
import { createRequire } from 'node:module';
import { FieldproofError } from '../../src/core/errors.js';
import { assertBytes, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type SignatureVerifier } from '../../src/core/signer.js';

interface Sodium {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

let sodium: Sodium | undefined;

/** sodium-native, loaded on first use (a CommonJS addon with prebuilt binaries). */
function loadSodium(): Sodium {
  if (sodium) return sodium;
  try {
    sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch (error) {
    throw new FieldproofError(
      'FP_E_NATIVE_CRYPTO',
      `libsodium (the sodium-native package) cannot be loaded: ${(error as Error).message}. Run npm ci again; sodium-native ships binaries for Linux, macOS and Windows on x64 and arm64, and builds from source elsewhere when a C compiler is installed`,
      { cause: error },
    );
  }
  return sodium;
}

export function createSodiumVerifier(): SignatureVerifier {
  const lib = loadSodium();
  return (publicKey, message, signature) => {
    assertBytes(publicKey, PUBLIC_KEY_BYTES, 'publicKey');
    assertBytes(signature, SIGNATURE_BYTES, 'signature');
    if (!(message instanceof Uint8Array)) throw new TypeError('message: a Uint8Array');
    return lib.crypto_sign_verify_detached(signature, message, publicKey);
  };
}
