// The device identity key, created on first boot and kept in NVS (Moddable's Preference module on the device).
// Policy, here so it is tested on Node and in XS:
//   - no record: draw 32 bytes from the hardware RNG, refuse an RNG that is plainly broken (all bytes equal),
//     store them, read them back and compare (a failed NVS write must not leave a device signing with a key it
//     will not have after the next reboot), and report `fresh` (the only case a missing sequence record is fine);
//   - a record of the wrong size: FP_E_KEY_CORRUPT, and the record is left alone. Replacing it would give the
//     node a new identity, orphaning its registration and rewards (same rule as hosts/node/key-file.ts).
// The secret never leaves this module's return value: it is not logged, printed or published. What is printed
// (serial console) and published (status) is the public key and the device id derived from it.
import { deviceIdOf, deviceIdText } from '../../src/core/device-id.js';
import { FieldproofError } from '../../src/core/errors.js';
import type { Rng, Storage } from '../../src/core/host.js';
import { publicKeyOf, SECRET_KEY_BYTES } from '../../src/core/signer.js';

/** NVS key names are at most 15 characters (ESP-IDF NVS, "Keys and values"). */
export const DEVICE_KEY_RECORD = 'key.v1';

export interface DeviceKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  deviceId: string;
  /** True when this boot created the key. */
  fresh: boolean;
}

export function loadOrCreateDeviceKey(storage: Storage, rng: Rng): DeviceKey {
  const stored = storage.get(DEVICE_KEY_RECORD);
  if (stored !== undefined) {
    if (!(stored instanceof Uint8Array) || stored.length !== SECRET_KEY_BYTES) {
      throw new FieldproofError(
        'FP_E_KEY_CORRUPT',
        `NVS record "${DEVICE_KEY_RECORD}" holds ${stored?.length ?? '?'} bytes, not a ${SECRET_KEY_BYTES}-byte key; it was left untouched ` +
          '(erasing NVS gives the device a new identity that must be registered again)',
      );
    }
    return identity(stored.slice(), false);
  }
  const secretKey = rng.bytes(SECRET_KEY_BYTES);
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_BYTES) throw new RangeError(`rng.bytes: expected ${SECRET_KEY_BYTES} bytes`);
  if (secretKey.every((b) => b === secretKey[0])) {
    // The ESP32 RNG is only truly random with the radio on or the bootloader's entropy source enabled
    // (ESP-IDF "Random Number Generation"); a constant output means something is badly wrong.
    throw new FieldproofError('FP_E_KEY_MISSING', 'the random number generator returned 32 equal bytes; no key was created');
  }
  storage.set(DEVICE_KEY_RECORD, secretKey);
  const back = storage.get(DEVICE_KEY_RECORD);
  if (!back || back.length !== SECRET_KEY_BYTES || back.some((b, i) => b !== secretKey[i])) {
    throw new FieldproofError('FP_E_KEY_MISSING', `the new key did not read back from NVS record "${DEVICE_KEY_RECORD}"; not using it`);
  }
  return identity(secretKey, true);
}

function identity(secretKey: Uint8Array, fresh: boolean): DeviceKey {
  const publicKey = publicKeyOf(secretKey);
  return { secretKey, publicKey, deviceId: deviceIdText(deviceIdOf(publicKey)), fresh };
}
