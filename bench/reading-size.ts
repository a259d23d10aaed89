// Bytes of a whole signed reading (COSE_Sign1) with 4 quantities, as the sequence number grows over a key's life.
import { signSign1 } from '../src/core/cose-sign1.js';
import { deviceIdOf } from '../src/core/device-id.js';
import { encodeReading, type ReadingV1 } from '../src/core/reading.js';
import { createNobleSigner } from '../src/core/signer.js';

export function benchReadingSize() {
  const signer = createNobleSigner(new Uint8Array(32).fill(1));
  const reading = (seq: number, flags = { backfilled: false, maintenance: false }): ReadingV1 => ({
    deviceId: deviceIdOf(signer.publicKey),
    seq,
    time: 1_798_761_599,
    measurements: [
      { quantity: 'temperature', value: 21.37, unit: 'Cel' },
      { quantity: 'humidity', value: 45.51, unit: '%RH' },
      { quantity: 'pressure', value: 101_325, unit: 'Pa' },
      { quantity: 'pm2_5', value: 12.3, unit: 'ug/m3' },
    ],
    firmware: new Uint8Array([0x0a, 0x1b, 0x2c, 0x3d]),
    flags,
  });
  const size = (r: ReadingV1) => ({ payload: encodeReading(r).length, signed: signSign1(encodeReading(r), signer).length });
  const rows = [
    { case: 'seq 1 (first day)', ...size(reading(1)) },
    { case: 'seq 50,000 (about a month at 1/min)', ...size(reading(50_000)) },
    { case: 'seq 1,000,000 (about 2 years at 1/min)', ...size(reading(1_000_000)) },
    { case: 'seq 1,000,000, backfilled flag', ...size(reading(1_000_000, { backfilled: true, maintenance: false })) },
    { case: 'seq 2^32 (worst realistic)', ...size(reading(2 ** 32)) },
  ];
  return { target_bytes: 120, quantities: ['temperature', 'humidity', 'pressure', 'pm2_5'], rows };
}
