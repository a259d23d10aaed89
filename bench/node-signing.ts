// Node: readings built, encoded and signed per second, with the portable noble signer and with node:crypto.
import { signSign1 } from '../src/core/cose-sign1.js';
import { deviceIdOf } from '../src/core/device-id.js';
import { encodeReading } from '../src/core/reading.js';
import { createNobleSigner, type Signer } from '../src/core/signer.js';
import { createNativeSigner } from '../hosts/node/native-signer.js';

function rate(signer: Signer, seconds: number): number {
  const deviceId = deviceIdOf(signer.publicKey);
  const firmware = new Uint8Array([1, 2, 3, 4]);
  let seq = 0;
  const once = () =>
    signSign1(
      encodeReading({
        deviceId,
        seq: seq++,
        time: 1_798_761_599,
        measurements: [
          { quantity: 'temperature', value: 20 + (seq % 100) / 100, unit: 'Cel' },
          { quantity: 'humidity', value: 45.51, unit: '%RH' },
          { quantity: 'pressure', value: 101_325, unit: 'Pa' },
          { quantity: 'pm2_5', value: 12.3, unit: 'ug/m3' },
        ],
        firmware,
        flags: { backfilled: false, maintenance: false },
      }),
      signer,
    );
  for (let i = 0; i < 200; i++) once(); // warm up
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 50; i++) once();
    n += 50;
  }
  return Math.round(n / ((performance.now() - start) / 1000));
}

export function benchNodeSigning(seconds = 2) {
  const secret = new Uint8Array(32).fill(5);
  const noble = rate(createNobleSigner(secret, { precomputeWindow: 8 }), seconds);
  const native = rate(createNativeSigner(secret), seconds);
  return { readings_per_s: { noble_window_8: noble, native_node_crypto: native }, native_vs_noble: +(native / noble).toFixed(1) };
}
