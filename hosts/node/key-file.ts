// The node's identity key on disk: a JSON file readable only by its owner (mode 0600), written atomically.
// A corrupt key file is never overwritten: replacing it would silently give the node a new identity and
// orphan its registration and rewards.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from '../../src/core/bytes.js';
import { deviceIdOf, deviceIdText } from '../../src/core/device-id.js';
import { FieldproofError } from '../../src/core/errors.js';
import { publicKeyOf, SECRET_KEY_BYTES } from '../../src/core/signer.js';
import { writeFileAtomic } from './file-storage.js';

export interface NodeKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  deviceId: string;
  /** True when the key was created by this call (the only time a missing sequence record is expected). */
  fresh: boolean;
}

export type KeyKind = 'fieldproof-node-key' | 'fieldproof-fleet-key';
const NODE_KEY: KeyKind = 'fieldproof-node-key';

export function loadOrCreateKey(path: string, options: { create: boolean; kind?: KeyKind }): NodeKey {
  const kind = options.kind ?? NODE_KEY;
  if (!existsSync(path)) {
    if (!options.create) throw new FieldproofError('FP_E_KEY_MISSING', `no key file at ${path}`);
    const secretKey = new Uint8Array(randomBytes(SECRET_KEY_BYTES));
    const publicKey = publicKeyOf(secretKey);
    const deviceId = deviceIdText(deviceIdOf(publicKey));
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const body = JSON.stringify({ v: 1, kind, deviceId, publicKey: toHex(publicKey), secretKey: toHex(secretKey) }, null, 2) + '\n';
    writeFileAtomic(path, body, dirname(path), 0o600);
    return { secretKey, publicKey, deviceId, fresh: true };
  }
  return { ...readKey(path, kind), fresh: false };
}

export function readKey(path: string, kind: KeyKind = NODE_KEY): Omit<NodeKey, 'fresh'> {
  const corrupt = (why: string) =>
    new FieldproofError('FP_E_KEY_CORRUPT', `key file ${path} ${why}; it was left untouched (restore it from backup; deleting it gives the node a new identity)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw corrupt(`is not valid JSON (${(error as Error).message})`);
  }
  const p = parsed as Record<string, unknown>;
  if (!p || p.v !== 1 || p.kind !== kind || typeof p.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(p.secretKey)) {
    throw corrupt(`does not hold a v1 ${kind}`);
  }
  const secretKey = fromHex(p.secretKey);
  const publicKey = publicKeyOf(secretKey);
  if (typeof p.publicKey === 'string' && p.publicKey !== toHex(publicKey)) throw corrupt('has a public key that does not match its secret key');
  return { secretKey, publicKey, deviceId: deviceIdText(deviceIdOf(publicKey)) };
}
