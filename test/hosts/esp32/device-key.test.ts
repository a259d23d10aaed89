import test from 'ava';
import { DEVICE_KEY_RECORD, loadOrCreateDeviceKey } from '../../../hosts/esp32/device-key.js';
import { toHex } from '../../../src/core/bytes.js';
import { deviceIdOf, deviceIdText } from '../../../src/core/device-id.js';
import { FieldproofError } from '../../../src/core/errors.js';
import type { Storage } from '../../../src/core/host.js';
import { MemoryStorage } from '../../../src/core/memory-storage.js';
import { publicKeyOf } from '../../../src/core/signer.js';

const counterRng = (start = 1) => ({ bytes: (n: number) => Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff) });

test('first boot creates the key from the RNG, stores it, and reports it fresh', (t) => {
  const storage = new MemoryStorage();
  const key = loadOrCreateDeviceKey(storage, counterRng());
  t.true(key.fresh);
  t.deepEqual(storage.get(DEVICE_KEY_RECORD), counterRng().bytes(32));
  t.deepEqual(key.publicKey, publicKeyOf(counterRng().bytes(32)));
  t.is(key.deviceId, deviceIdText(deviceIdOf(key.publicKey)));
});

test('later boots load the same key and never draw from the RNG', (t) => {
  const storage = new MemoryStorage();
  const first = loadOrCreateDeviceKey(storage, counterRng());
  const again = loadOrCreateDeviceKey(storage, { bytes: () => { throw new Error('RNG used on a later boot'); } });
  t.false(again.fresh);
  t.is(toHex(again.publicKey), toHex(first.publicKey));
});

test('a record of the wrong size is FP_E_KEY_CORRUPT and is left untouched', (t) => {
  const storage = new MemoryStorage();
  storage.set(DEVICE_KEY_RECORD, Uint8Array.of(1, 2, 3));
  const error = t.throws(() => loadOrCreateDeviceKey(storage, counterRng()), { instanceOf: FieldproofError });
  t.is(error!.code, 'FP_E_KEY_CORRUPT');
  t.deepEqual(storage.get(DEVICE_KEY_RECORD), Uint8Array.of(1, 2, 3));
});

test('an RNG that returns 32 equal bytes creates no key', (t) => {
  const storage = new MemoryStorage();
  t.throws(() => loadOrCreateDeviceKey(storage, { bytes: (n) => new Uint8Array(n) }), { message: /random number generator/ });
  t.is(storage.get(DEVICE_KEY_RECORD), undefined);
});

test('a key that does not read back from NVS is not used', (t) => {
  const lossy: Storage = { get: () => undefined, set: () => {} };
  t.throws(() => loadOrCreateDeviceKey(lossy, counterRng()), { message: /did not read back/ });
});
