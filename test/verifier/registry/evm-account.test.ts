import test from 'ava';
import { fromHex } from '../../../src/core/bytes.js';
import { toHex } from '../../../src/core/bytes.js';
import { addressOfPrivateKey, normaliseAddress, personalMessageHash, personalSign, recoverPersonalSigner } from '../../../src/verifier/registry/evm-account.js';
import { loadVectors } from '../../helpers/vectors.js';

interface Eip191 {
  privateKey: string;
  address: string;
  message: string;
  messageHash: string;
  signature: string;
}
const { vectors } = loadVectors<Eip191>('eip191-personal-sign.json');

test('hashes and recovers the web3.js personal_sign example (EIP-191)', (t) => {
  for (const v of vectors) {
    t.is(toHex(personalMessageHash(v.message)), v.messageHash);
    t.is(recoverPersonalSigner(v.message, fromHex(v.signature)), v.address);
    t.is(addressOfPrivateKey(fromHex(v.privateKey)), v.address);
  }
});

test('signs like a wallet: the same 65 bytes as the example', (t) => {
  const v = vectors[0]!;
  t.is(toHex(personalSign(v.message, fromHex(v.privateKey))), v.signature);
});

test('a changed message or signature recovers someone else or nothing', (t) => {
  const v = vectors[0]!;
  t.not(recoverPersonalSigner(v.message + '!', fromHex(v.signature)), v.address);
  const sig = fromHex(v.signature);
  sig[64] = 30;
  t.is(recoverPersonalSigner(v.message, sig), undefined);
  t.is(recoverPersonalSigner(v.message, new Uint8Array(64)), undefined);
});

test('normalises addresses and refuses what is not one', (t) => {
  t.is(normaliseAddress('0x2C7536E3605D9C16a7a3D7b1898e529396a65c23'), '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23');
  for (const bad of ['2c7536e3605d9c16a7a3d7b1898e529396a65c23', '0x123', 42, undefined, '0xzz7536e3605d9c16a7a3d7b1898e529396a65c23']) t.is(normaliseAddress(bad), undefined);
});
