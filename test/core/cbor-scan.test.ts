import test from 'ava';
import fc from 'fast-check';
import { fromHex } from '../../src/core/bytes.js';
import { DEFAULT_SCAN_LIMITS, scanCbor } from '../../src/core/cbor-scan.js';

const scan = (hex: string, limits = DEFAULT_SCAN_LIMITS) => scanCbor(fromHex(hex), limits);
const reasonOf = (hex: string) => {
  const r = scan(hex);
  return r.ok ? 'ok' : r.reason;
};

test('accepts deterministic items of the types the wire uses', (t) => {
  for (const hex of ['00', '17', '1818', '190100', '1a00010000', '1b0000000100000000', '20', '3818', '40', '4401020304', '6161', '80', '83010203', 'a0', 'a201020304', 'd24100', 'f4', 'f5', 'f6']) {
    t.is(reasonOf(hex), 'ok', hex);
  }
});

test('refuses arguments that are not in their shortest form (RFC 8949 §4.2.1)', (t) => {
  for (const hex of ['1817', '1900ff', '1a0000ffff', '1b00000000ffffffff', '3817', '5801ff', '780161', '9800', 'b800']) {
    t.is(reasonOf(hex), 'non_deterministic', hex);
  }
});

test('refuses indefinite lengths and stray breaks', (t) => {
  for (const hex of ['5f41ff', '7f6161ff', '9f01ff', 'bf0102ff', 'ff']) t.is(reasonOf(hex), 'non_deterministic', hex);
});

test('refuses map keys out of order or repeated', (t) => {
  t.is(reasonOf('a202010102'), 'non_deterministic'); // {2:1, 1:2}
  t.is(reasonOf('a201010102'), 'non_deterministic'); // {1:1, 1:2}
  t.is(reasonOf('a22001 0102'.replace(' ', '')), 'non_deterministic'); // {-1:1, 1:2}: negative sorts after positive
});

test('orders keys bytewise: positive before negative before text, shorter text first', (t) => {
  t.is(reasonOf('a3010120026161 03'.replace(/ /g, '')), 'ok'); // {1:1, -1:2, "a":3}
  t.is(reasonOf('a2616101626161 02'.replace(/ /g, '')), 'ok'); // {"a":1, "aa":2}
  t.is(reasonOf('a2626161016161 02'.replace(/ /g, '')), 'non_deterministic'); // {"aa":1, "a":2}
});

test('refuses floats, undefined and unassigned simple values', (t) => {
  for (const hex of ['f93c00', 'fa3f800000', 'fb3ff0000000000000', 'f7', 'f0', 'f820']) t.is(reasonOf(hex), 'unsupported', hex);
});

test('refuses integers beyond 2^53-1 and tags not allowed', (t) => {
  t.is(reasonOf('1b0020000000000000'), 'unsupported');
  t.is(reasonOf('3b001fffffffffffff'), 'unsupported'); // -2^53: not a safe integer
  t.is(reasonOf('3b001ffffffffffffe'), 'ok'); // -(2^53-1)
  t.is(reasonOf('c11a5bd9f000'), 'unsupported'); // tag 1 (epoch time) is not used
  t.is(reasonOf('d24100'), 'ok'); // tag 18 is
});

test('refuses non-ASCII text strings', (t) => {
  t.is(reasonOf('62c3a9'), 'unsupported'); // "é"
  t.is(reasonOf('6100'), 'unsupported'); // control character
});

test('refuses trailing bytes, truncation and empty input', (t) => {
  t.is(reasonOf('0000'), 'malformed');
  t.is(reasonOf('82 01'.replace(' ', '')), 'malformed');
  t.is(reasonOf('19 01'.replace(' ', '')), 'malformed');
  t.is(reasonOf(''), 'malformed');
  t.is(reasonOf('1c'), 'malformed'); // reserved additional information
});

test('refuses declared lengths beyond the input without allocating', (t) => {
  t.is(reasonOf('5affffffff'), 'malformed');
  t.is(reasonOf('9affffffff'), 'malformed');
  t.is(reasonOf('bafffffff0'), 'malformed');
  t.is(reasonOf('5b001fffffffffffff'), 'malformed');
});

test('bounds nesting depth and total size', (t) => {
  const deep = '81'.repeat(9) + '00';
  const r = scan(deep);
  t.false(r.ok);
  t.is(!r.ok && r.reason, 'too_deep');
  t.true(scan('81'.repeat(8) + '00').ok);
  const big = scanCbor(new Uint8Array(2000), DEFAULT_SCAN_LIMITS);
  t.is(!big.ok && big.reason, 'too_large');
});

test('handles a 100,000-deep nesting without recursion', (t) => {
  const bytes = new Uint8Array(100_001).fill(0x81);
  bytes[100_000] = 0;
  const r = scanCbor(bytes, { maxBytes: 200_000, maxDepth: 1_000_000, allowedTags: [] });
  t.true(r.ok);
});

test('never throws on arbitrary bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = scanCbor(bytes);
      return r.ok === true || typeof r.reason === 'string';
    }),
    { numRuns: 5000 },
  );
  t.pass();
});
