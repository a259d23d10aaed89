import test from 'ava';
import fc from 'fast-check';
import { toHex } from '../../src/core/bytes.js';
import { encodeCbor, type CborValue } from '../../src/core/cbor-codec.js';
import { decodeReading, encodeReading, readingToCbor, type ReadingV1 } from '../../src/core/reading.js';

const base = (): ReadingV1 => ({
  deviceId: new Uint8Array(8).fill(0xab),
  seq: 7,
  time: 1_767_225_600,
  measurements: [
    { quantity: 'temperature', value: 21.37, unit: 'Cel' },
    { quantity: 'humidity', value: 45.5, unit: '%RH' },
  ],
  firmware: new Uint8Array([1, 2, 3, 4]),
  flags: { backfilled: false, maintenance: false },
});

const reasonFor = (map: Map<number, CborValue>) => {
  const r = decodeReading(encodeCbor(map));
  return r.ok ? 'ok' : `${r.reason}: ${r.detail}`;
};

test('round-trips a reading', (t) => {
  const r = decodeReading(encodeReading(base()));
  if (!r.ok) return t.fail(r.detail);
  t.deepEqual(r.reading, base());
});

test('omits zero flags and encodes set flags as bits', (t) => {
  t.false(readingToCbor(base()).has(6));
  t.is(readingToCbor({ ...base(), flags: { backfilled: true, maintenance: true } }).get(6), 3);
});

test('encodes the same reading to the same bytes whatever the measurement order', (t) => {
  const a = base();
  const b = { ...base(), measurements: [...base().measurements].reverse() };
  t.is(toHex(encodeReading(a)), toHex(encodeReading(b)));
});

test('refuses to encode a malformed reading, naming the field', (t) => {
  t.throws(() => encodeReading({ ...base(), deviceId: new Uint8Array(7) }), { message: /deviceId/ });
  t.throws(() => encodeReading({ ...base(), seq: -1 }), { message: /seq/ });
  t.throws(() => encodeReading({ ...base(), time: 2 ** 32 }), { message: /time/ });
  t.throws(() => encodeReading({ ...base(), measurements: [] }), { message: /measurements/ });
  t.throws(() => encodeReading({ ...base(), firmware: new Uint8Array(17) }), { message: /firmware/ });
  t.throws(() => encodeReading({ ...base(), measurements: [{ quantity: 'temperature', value: 1, unit: 'Cel' }, { quantity: 'temperature', value: 2, unit: 'Cel' }] }), {
    message: /twice/,
  });
});

test('rejects payloads with missing, unknown or mistyped fields', (t) => {
  const good = () => readingToCbor(base());
  const without = (k: number) => {
    const m = good();
    m.delete(k);
    return m;
  };
  const with_ = (k: number, v: CborValue) => good().set(k, v);
  t.regex(reasonFor(without(1)), /^wrong_type: reading.deviceId/);
  t.regex(reasonFor(without(2)), /^wrong_type: reading.seq/);
  t.regex(reasonFor(without(4)), /^wrong_type: reading.measurements/);
  t.regex(reasonFor(with_(7, 1)), /^wrong_type: reading: unknown key 7/);
  t.regex(reasonFor(with_(2, 'seven')), /^wrong_type: reading.seq/);
  t.regex(reasonFor(with_(3, -5)), /^wrong_type: reading.time/);
  t.regex(reasonFor(with_(4, new Map([[99, 1]]))), /unknown quantity code 99/);
  t.regex(reasonFor(with_(4, new Map([[1, 2 ** 31]]))), /at most 32 bits/);
  t.regex(reasonFor(with_(5, new Uint8Array(0))), /^wrong_type: reading.firmware/);
  t.regex(reasonFor(with_(6, 4)), /unknown flag bits/);
  t.regex(reasonFor(with_(6, 0)), /^non_deterministic/);
  t.regex(reasonFor(new Map([[1, 1]]).set(1, 1) as Map<number, CborValue>), /^wrong_type/);
});

test('rejects a non-map payload and non-deterministic encodings', (t) => {
  const r1 = decodeReading(encodeCbor([1, 2, 3]));
  t.is(!r1.ok && r1.reason, 'wrong_type');
  const bytes = encodeReading(base());
  const padded = new Uint8Array([...bytes.slice(0, 12), 0x18, 0x07, ...bytes.slice(13)]); // seq 7 as 0x18 0x07
  t.is(bytes[12], 0x07);
  const r2 = decodeReading(padded);
  t.is(!r2.ok && r2.reason, 'non_deterministic');
});

test('every junk input gets a reason and none throws (property)', (t) => {
  const valid = encodeReading(base());
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const b = valid.slice();
          b[i] ^= x;
          return b;
        }),
        fc.nat(valid.length).map((n) => valid.slice(0, n)),
      ),
      (bytes) => {
        const r = decodeReading(bytes);
        return r.ok || typeof r.reason === 'string';
      },
    ),
    { numRuns: 5000 },
  );
  t.pass();
});
