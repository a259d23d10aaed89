import test from 'ava';
import fc from 'fast-check';
import { toHex } from '../../src/core/bytes.js';
import { decodeCbor, encodeCbor, Tag, type CborValue } from '../../src/core/cbor-codec.js';
import { scanCbor } from '../../src/core/cbor-scan.js';

const wide = { maxBytes: 1 << 20, maxDepth: 16, allowedTags: [18] };

test('encodes map keys in deterministic order whatever the insertion order', (t) => {
  const a = encodeCbor(new Map<number | string, CborValue>([['b', 1], [-1, 2], [10, 3], [1, 4], ['aa', 5]]));
  const b = encodeCbor(new Map<number | string, CborValue>([[1, 4], [10, 3], [-1, 2], ['b', 1], ['aa', 5]]));
  t.is(toHex(a), toHex(b));
  t.is(toHex(a), 'a5' + '0104' + '0a03' + '2002' + '616201' + '62616105');
});

test('encodes integers and lengths in shortest form', (t) => {
  t.is(toHex(encodeCbor(23)), '17');
  t.is(toHex(encodeCbor(24)), '1818');
  t.is(toHex(encodeCbor(65536)), '1a00010000');
  t.is(toHex(encodeCbor(-25)), '3818');
  t.is(toHex(encodeCbor(2 ** 32)), '1b0000000100000000');
  t.is(toHex(encodeCbor(new Uint8Array(24))).slice(0, 4), '5818');
});

test('refuses floats, unsafe integers and non-ASCII text with the offending path', (t) => {
  t.throws(() => encodeCbor(new Map([[1, 1.5]])), { instanceOf: TypeError, message: /value\.1/ });
  t.throws(() => encodeCbor(2 ** 53), { instanceOf: TypeError });
  t.throws(() => encodeCbor(['é']), { instanceOf: TypeError, message: /value\[0\]/ });
});

test('returns a plain Uint8Array that later encodes do not overwrite', (t) => {
  const first = encodeCbor([1, 2, 3]);
  const copy = toHex(first);
  encodeCbor(new Uint8Array(5000));
  t.is(Object.getPrototypeOf(first), Uint8Array.prototype);
  t.is(toHex(first), copy);
});

const value = fc.letrec<{ leaf: CborValue; node: CborValue }>((tie) => ({
  leaf: fc.oneof(
    fc.maxSafeInteger(),
    fc.integer(),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 4, unit: fc.constantFrom('a', 'b', 'z', '1') })), tie('node')), {
      maxLength: 5,
      selector: ([k]) => `${typeof k}:${k}`,
    }).map((entries) => new Map(entries) as CborValue),
  ),
})).node;

test('every encoding passes the strict scan and decodes back to the same bytes (property)', (t) => {
  fc.assert(
    fc.property(value, (v) => {
      const bytes = encodeCbor(v);
      if (!scanCbor(bytes, wide).ok) return false;
      const back = decodeCbor(bytes, wide);
      return back.ok && toHex(encodeCbor(back.value)) === toHex(bytes);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('decodes tag 18 as a Tag and byte strings as plain Uint8Array', (t) => {
  const r = decodeCbor(encodeCbor(new Tag([new Uint8Array([1, 2])], 18)));
  t.true(r.ok);
  if (!r.ok) return;
  t.true(r.value instanceof Tag);
  const inner = (r.value as Tag).value as CborValue[];
  t.is(Object.getPrototypeOf(inner[0]), Uint8Array.prototype);
});

test('gives a reason, never an exception, for junk (property)', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = decodeCbor(bytes);
      return r.ok || ['too_large', 'malformed', 'too_deep', 'non_deterministic', 'unsupported'].includes(r.reason);
    }),
    { numRuns: 5000 },
  );
  t.pass();
});
