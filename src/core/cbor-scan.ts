// Strict, bounded pre-scan of untrusted CBOR before any decoder allocates from it.
// It walks the item headers without recursion and checks what the fieldproof wire allows:
//   - well-formed (RFC 8949 §3), exactly one top-level item, no trailing bytes;
//   - deterministic (RFC 8949 §4.2.1): shortest-form arguments, definite lengths only,
//     map keys in bytewise lexicographic order of their encodings and unique;
//   - bounded: total size, nesting depth, every declared length fits in the bytes that remain;
//   - only the types our schemas use: integers within ±(2^53-1), byte and ASCII text strings,
//     arrays, maps, allowed tags, false/true/null. Floats, undefined and other simple values are refused.

export type CborScanReason = 'too_large' | 'malformed' | 'too_deep' | 'non_deterministic' | 'unsupported';

export type CborScanResult = { ok: true } | { ok: false; reason: CborScanReason; at: number; detail: string };

export interface CborScanLimits {
  maxBytes: number;
  maxDepth: number;
  allowedTags: readonly number[];
}

export const DEFAULT_SCAN_LIMITS: CborScanLimits = Object.freeze({
  maxBytes: 1024,
  maxDepth: 8,
  allowedTags: Object.freeze([18]),
});

interface Frame {
  kind: 4 | 5 | 6; // array, map, tag (major types)
  remaining: number; // items still to read (a map counts keys and values)
  keyStart: number; // map only: where the key being read began, -1 when reading a value
  prevKeyStart: number;
  prevKeyEnd: number;
}

const TWO_32 = 0x1_0000_0000;
const MAX_SAFE_HIGH = 0x1f_ffff; // high 32 bits of Number.MAX_SAFE_INTEGER

export function scanCbor(bytes: Uint8Array, limits: CborScanLimits = DEFAULT_SCAN_LIMITS): CborScanResult {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  const fail = (reason: CborScanReason, at: number, detail: string): CborScanResult => ({ ok: false, reason, at, detail });
  if (bytes.length > limits.maxBytes) return fail('too_large', 0, `${bytes.length} bytes exceeds the limit of ${limits.maxBytes}`);
  if (bytes.length === 0) return fail('malformed', 0, 'empty input');

  const stack: Frame[] = [];
  let pos = 0;
  let done = false;

  while (!done) {
    if (pos >= bytes.length) return fail('malformed', pos, 'truncated: more items were declared than bytes remain');
    const start = pos;
    const top = stack[stack.length - 1];
    if (top && top.kind === 5 && top.remaining % 2 === 0) top.keyStart = start;

    const initial = bytes[pos++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;

    // Argument (RFC 8949 §3.1) with the shortest-form rule of §4.2.1.
    let arg = 0;
    if (info < 24) {
      arg = info;
    } else if (info <= 27) {
      if (major === 7) {
        if (info === 24) return fail('unsupported', start, 'simple value in one extra byte');
        return fail('unsupported', start, 'floating-point numbers are not used on the fieldproof wire');
      }
      const size = 1 << (info - 24);
      if (pos + size > bytes.length) return fail('malformed', start, 'truncated argument');
      if (size === 1) arg = bytes[pos]!;
      else if (size === 2) arg = (bytes[pos]! << 8) | bytes[pos + 1]!;
      else if (size === 4) arg = ((bytes[pos]! << 24) >>> 0) + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
      else {
        const high = ((bytes[pos]! << 24) >>> 0) + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
        const low = ((bytes[pos + 4]! << 24) >>> 0) + ((bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!);
        if (high > MAX_SAFE_HIGH) return fail('unsupported', start, 'integer or length beyond 2^53-1');
        arg = high * TWO_32 + low;
      }
      pos += size;
      const floor = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x1_0000 : TWO_32;
      if (arg < floor) return fail('non_deterministic', start, 'argument not in its shortest form');
    } else if (info === 31) {
      return fail('non_deterministic', start, major === 7 ? 'break outside an indefinite-length item' : 'indefinite length');
    } else {
      return fail('malformed', start, `reserved additional information ${info}`);
    }

    let opensFrame = false;
    switch (major) {
      case 0:
        break; // arg already bounded to 2^53-1
      case 1:
        // the value is -1-arg: arg 2^53-1 would be -2^53, one beyond Number.MIN_SAFE_INTEGER
        if (arg > Number.MAX_SAFE_INTEGER - 1) return fail('unsupported', start, 'integer below -(2^53-1)');
        break;
      case 2:
      case 3: {
        if (arg > bytes.length - pos) return fail('malformed', start, 'string length runs past the end of the input');
        if (major === 3) {
          for (let i = pos; i < pos + arg; i++) {
            const c = bytes[i]!;
            if (c < 0x20 || c > 0x7e) return fail('unsupported', i, 'text strings on the fieldproof wire are printable ASCII');
          }
        }
        pos += arg;
        break;
      }
      case 4:
      case 5: {
        const items = major === 5 ? arg * 2 : arg;
        if (items > bytes.length - pos) return fail('malformed', start, 'container declares more items than bytes remain');
        if (items > 0) opensFrame = true;
        break;
      }
      case 6:
        if (!limits.allowedTags.includes(arg)) return fail('unsupported', start, `tag ${arg} is not allowed here`);
        opensFrame = true;
        break;
      case 7:
        if (info < 20 || info > 22) return fail('unsupported', start, `simple value ${info} is not used on the fieldproof wire`);
        break;
    }

    if (opensFrame) {
      if (stack.length >= limits.maxDepth) return fail('too_deep', start, `nesting deeper than ${limits.maxDepth}`);
      const kind = major as 4 | 5 | 6;
      stack.push({ kind, remaining: kind === 5 ? arg * 2 : kind === 4 ? arg : 1, keyStart: -1, prevKeyStart: -1, prevKeyEnd: -1 });
      continue;
    }

    // The item ended at pos: pop every container it completes.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (!frame) {
        done = true;
        break;
      }
      if (frame.kind === 5 && frame.remaining % 2 === 0) {
        // a key just ended: RFC 8949 §4.2.1, keys sorted bytewise and (so) unique
        if (frame.prevKeyStart >= 0) {
          const order = compareSpans(bytes, frame.prevKeyStart, frame.prevKeyEnd, frame.keyStart, pos);
          if (order === 0) return fail('non_deterministic', frame.keyStart, 'duplicate map key');
          if (order > 0) return fail('non_deterministic', frame.keyStart, 'map keys not in deterministic order');
        }
        frame.prevKeyStart = frame.keyStart;
        frame.prevKeyEnd = pos;
      }
      frame.remaining--;
      if (frame.remaining > 0) break;
      stack.pop();
    }
  }
  if (pos !== bytes.length) return fail('malformed', pos, `${bytes.length - pos} trailing bytes after the item`);
  return { ok: true };
}

function compareSpans(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const aLen = aEnd - aStart;
  const bLen = bEnd - bStart;
  const n = Math.min(aLen, bLen);
  for (let i = 0; i < n; i++) {
    const d = bytes[aStart + i]! - bytes[bStart + i]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}
