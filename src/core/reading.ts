// ReadingV1: the signed payload of protocol v1 (docs/PROTOCOL.md §Reading, CDDL `reading-v1`).
// A CBOR map with small integer keys, deterministically encoded (RFC 8949 §4.2.1):
//   1: device id (bstr .size 8)        2: sequence number (uint)     3: device time, Unix seconds (uint)
//   4: measurements {quantity code => scaled int}                     5: firmware build id (bstr 1..16)
//   6: flags (uint, omitted when 0; bit 0 backfilled, bit 1 maintenance)
import { decodeCbor, encodeCbor, type CborValue } from './cbor-codec.js';
import type { CborScanLimits } from './cbor-scan.js';
import { DEVICE_ID_BYTES } from './device-id.js';
import { fromWire, quantityByCode, quantityByName, toWire, type QuantityName } from './quantities.js';

export interface MeasurementV1 {
  quantity: QuantityName;
  /** In the quantity's SenML unit, at the wire's resolution. */
  value: number;
  /** SenML unit symbol, fixed by the quantity. */
  unit: string;
}

export interface ReadingFlags {
  /** Signed while the node was offline or had older readings waiting in its outbox: it is delivered late. */
  backfilled: boolean;
  /** Taken in maintenance mode (owner at the device): recorded, neither rewarded nor penalised. */
  maintenance: boolean;
}

export interface ReadingV1 {
  deviceId: Uint8Array;
  seq: number;
  /** Device clock at sampling, Unix seconds. */
  time: number;
  measurements: MeasurementV1[];
  firmware: Uint8Array;
  flags: ReadingFlags;
}

export const KEY = Object.freeze({ deviceId: 1, seq: 2, time: 3, measurements: 4, firmware: 5, flags: 6 });
export const FLAG = Object.freeze({ backfilled: 1, maintenance: 2 });
const KNOWN_FLAGS = FLAG.backfilled | FLAG.maintenance;

export const MAX_MEASUREMENTS = 16;
export const MAX_FIRMWARE_BYTES = 16;
/** Unix seconds must fit 32 bits unsigned (until 2106). */
export const MAX_TIME = 0xffff_ffff;

export const READING_LIMITS: CborScanLimits = Object.freeze({ maxBytes: 512, maxDepth: 3, allowedTags: Object.freeze([]) });

/** Build the payload map; throws TypeError/RangeError naming the field for a reading that cannot be encoded. */
export function readingToCbor(reading: ReadingV1): Map<number, CborValue> {
  if (!(reading.deviceId instanceof Uint8Array) || reading.deviceId.length !== DEVICE_ID_BYTES) {
    throw new TypeError(`reading.deviceId: expected ${DEVICE_ID_BYTES} bytes`);
  }
  if (!Number.isSafeInteger(reading.seq) || reading.seq < 0) throw new RangeError('reading.seq: a non-negative safe integer');
  if (!Number.isInteger(reading.time) || reading.time < 0 || reading.time > MAX_TIME) {
    throw new RangeError('reading.time: Unix seconds from 0 to 2^32-1');
  }
  if (!Array.isArray(reading.measurements) || reading.measurements.length === 0 || reading.measurements.length > MAX_MEASUREMENTS) {
    throw new RangeError(`reading.measurements: 1 to ${MAX_MEASUREMENTS} entries`);
  }
  if (!(reading.firmware instanceof Uint8Array) || reading.firmware.length < 1 || reading.firmware.length > MAX_FIRMWARE_BYTES) {
    throw new TypeError(`reading.firmware: 1 to ${MAX_FIRMWARE_BYTES} bytes`);
  }
  const measurements = new Map<number, CborValue>();
  for (const m of reading.measurements) {
    const q = quantityByName(m.quantity);
    if (!q) throw new RangeError(`reading.measurements: unknown quantity ${String(m.quantity)}`);
    if (measurements.has(q.code)) throw new RangeError(`reading.measurements: ${q.name} appears twice`);
    measurements.set(q.code, toWire(q, m.value));
  }
  const map = new Map<number, CborValue>([
    [KEY.deviceId, reading.deviceId],
    [KEY.seq, reading.seq],
    [KEY.time, reading.time],
    [KEY.measurements, measurements],
    [KEY.firmware, reading.firmware],
  ]);
  const flags = (reading.flags.backfilled ? FLAG.backfilled : 0) | (reading.flags.maintenance ? FLAG.maintenance : 0);
  if (flags !== 0) map.set(KEY.flags, flags); // omitted when zero: one encoding per reading
  return map;
}

export function encodeReading(reading: ReadingV1): Uint8Array {
  return encodeCbor(readingToCbor(reading));
}

export type ReadingDecodeReason =
  | 'too_large'
  | 'malformed'
  | 'too_deep'
  | 'non_deterministic'
  | 'unsupported'
  | 'wrong_type';

export type ReadingDecodeResult =
  | { ok: true; reading: ReadingV1 }
  | { ok: false; reason: ReadingDecodeReason; detail: string };

/** Strictly decode a payload. Every failure is a reason, never an exception. */
export function decodeReading(payload: Uint8Array): ReadingDecodeResult {
  const decoded = decodeCbor(payload, READING_LIMITS);
  if (!decoded.ok) return decoded;
  return readingFromCbor(decoded.value);
}

export function readingFromCbor(value: CborValue): ReadingDecodeResult {
  const bad = (detail: string): ReadingDecodeResult => ({ ok: false, reason: 'wrong_type', detail });
  if (!(value instanceof Map)) return bad('reading: expected a map');
  for (const key of value.keys()) {
    if (typeof key !== 'number' || key < KEY.deviceId || key > KEY.flags) return bad(`reading: unknown key ${String(key)}`);
  }
  const deviceId = value.get(KEY.deviceId);
  if (!(deviceId instanceof Uint8Array) || deviceId.length !== DEVICE_ID_BYTES) return bad('reading.deviceId (1): expected bstr of 8 bytes');
  const seq = value.get(KEY.seq);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return bad('reading.seq (2): expected uint');
  const time = value.get(KEY.time);
  if (typeof time !== 'number' || !Number.isInteger(time) || time < 0 || time > MAX_TIME) return bad('reading.time (3): expected uint32 seconds');
  const rawMeasurements = value.get(KEY.measurements);
  if (!(rawMeasurements instanceof Map) || rawMeasurements.size === 0 || rawMeasurements.size > MAX_MEASUREMENTS) {
    return bad(`reading.measurements (4): expected a map of 1 to ${MAX_MEASUREMENTS} entries`);
  }
  const measurements: MeasurementV1[] = [];
  for (const [code, wire] of rawMeasurements) {
    const q = typeof code === 'number' ? quantityByCode(code) : undefined;
    if (!q) return bad(`reading.measurements (4): unknown quantity code ${String(code)}`);
    if (typeof wire !== 'number' || !Number.isInteger(wire) || Math.abs(wire) > 0x7fff_ffff) {
      return bad(`reading.measurements (4): ${q.name} expected an int of at most 32 bits`);
    }
    measurements.push({ quantity: q.name as QuantityName, value: fromWire(q, wire), unit: q.unit });
  }
  const firmware = value.get(KEY.firmware);
  if (!(firmware instanceof Uint8Array) || firmware.length < 1 || firmware.length > MAX_FIRMWARE_BYTES) {
    return bad(`reading.firmware (5): expected bstr of 1 to ${MAX_FIRMWARE_BYTES} bytes`);
  }
  let flags = 0;
  if (value.has(KEY.flags)) {
    const raw = value.get(KEY.flags);
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) return bad('reading.flags (6): expected uint');
    if (raw === 0) return { ok: false, reason: 'non_deterministic', detail: 'reading.flags (6): zero flags are omitted, not encoded' };
    if (raw > KNOWN_FLAGS || (raw & ~KNOWN_FLAGS) !== 0) return bad(`reading.flags (6): unknown flag bits in ${raw}`);
    flags = raw;
  }
  return {
    ok: true,
    reading: {
      deviceId,
      seq,
      time,
      measurements,
      firmware,
      flags: { backfilled: (flags & FLAG.backfilled) !== 0, maintenance: (flags & FLAG.maintenance) !== 0 },
    },
  };
}
