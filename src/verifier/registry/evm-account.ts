// Owners are paid on an EVM chain, so an owner is an EVM address, and an owner's consent (an ownership
// transfer) is an EIP-191 personal_sign signature from that address's wallet: no shared claiming secret.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { toHex } from '../../core/bytes.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Lowercase 0x + 40 hex, or undefined when not an address. (EIP-55 mixed case is accepted and not enforced.) */
export function normaliseAddress(value: unknown): string | undefined {
  return typeof value === 'string' && ADDRESS.test(value) ? value.toLowerCase() : undefined;
}

/** EIP-191 version 0x45: keccak256("\x19Ethereum Signed Message:\n" + byte length + message). */
export function personalMessageHash(message: string): Uint8Array {
  const body = new TextEncoder().encode(message);
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${body.length}`);
  const all = new Uint8Array(prefix.length + body.length);
  all.set(prefix);
  all.set(body, prefix.length);
  return keccak_256(all);
}

export function addressOfPublicKey(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return `0x${toHex(keccak_256(uncompressed.subarray(1)).subarray(12))}`;
}

/** The address that signed `message` with a 65-byte r||s||v signature (v 27/28 or 0/1), or undefined. */
export function recoverPersonalSigner(message: string, signature: Uint8Array): string | undefined {
  if (!(signature instanceof Uint8Array) || signature.length !== 65) return undefined;
  const v = signature[64]! >= 27 ? signature[64]! - 27 : signature[64]!;
  if (v !== 0 && v !== 1) return undefined;
  const recovered = new Uint8Array(65);
  recovered[0] = v;
  recovered.set(signature.subarray(0, 64), 1);
  try {
    // noble refuses high-s signatures (EIP-2): one signature per message, no malleability.
    return addressOfPublicKey(secp256k1.recoverPublicKey(recovered, personalMessageHash(message), { prehash: false }));
  } catch {
    return undefined;
  }
}

/** Sign like a wallet's personal_sign (tests and the CLI's owner tooling). */
export function personalSign(message: string, privateKey: Uint8Array): Uint8Array {
  const sig = secp256k1.sign(personalMessageHash(message), privateKey, { prehash: false, format: 'recovered' });
  const out = new Uint8Array(65);
  out.set(sig.subarray(1), 0);
  out[64] = sig[0]! + 27;
  return out;
}

export function addressOfPrivateKey(privateKey: Uint8Array): string {
  return addressOfPublicKey(secp256k1.getPublicKey(privateKey, false));
}
