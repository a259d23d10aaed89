// The measured quantities of protocol v1: wire code, SenML name and unit (SenML units registry: RFC 8428 §12.1,
// plus the secondary units of RFC 8798 such as ug/m3 and ppm),
// and the fixed decimal scale of the integer that travels on the wire. Values are scaled integers so that
// encoding is exact and identical on every engine (no floating point on the wire).
// The table is part of the protocol: docs/PROTOCOL.md §Quantities lists the same rows, and a test checks it.

export interface QuantityV1 {
  /** Wire code: the key in the reading's measurement map. */
  readonly code: number;
  /** SenML name (RFC 8428 §4.5.1 characters). */
  readonly name: string;
  /** SenML unit symbol (RFC 8428 §12.1). */
  readonly unit: string;
  /** The wire integer is value / 10^exponent, rounded half away from zero. */
  readonly exponent: number;
}

export const QUANTITIES_V1: readonly QuantityV1[] = Object.freeze([
  { code: 1, name: 'temperature', unit: 'Cel', exponent: -2 },
  { code: 2, name: 'humidity', unit: '%RH', exponent: -2 },
  { code: 3, name: 'pressure', unit: 'Pa', exponent: 1 },
  { code: 4, name: 'pm1', unit: 'ug/m3', exponent: -1 },
  { code: 5, name: 'pm2_5', unit: 'ug/m3', exponent: -1 },
  { code: 6, name: 'pm10', unit: 'ug/m3', exponent: -1 },
  { code: 7, name: 'co2', unit: 'ppm', exponent: 0 },
  { code: 8, name: 'wind_speed', unit: 'm/s', exponent: -2 },
  { code: 9, name: 'illuminance', unit: 'lx', exponent: 0 },
  { code: 10, name: 'battery', unit: 'V', exponent: -3 },
].map((q) => Object.freeze(q)));

export type QuantityName =
  | 'temperature'
  | 'humidity'
  | 'pressure'
  | 'pm1'
  | 'pm2_5'
  | 'pm10'
  | 'co2'
  | 'wind_speed'
  | 'illuminance'
  | 'battery';

const byCode = new Map<number, QuantityV1>();
const byName = new Map<string, QuantityV1>();
for (const q of QUANTITIES_V1) {
  byCode.set(q.code, q);
  byName.set(q.name, q);
}

export function quantityByCode(code: number): QuantityV1 | undefined {
  return byCode.get(code);
}

export function quantityByName(name: string): QuantityV1 | undefined {
  return byName.get(name);
}

/** Largest magnitude of a wire integer: fits a CBOR 4-byte argument. */
export const MAX_WIRE_MAGNITUDE = 0x7fff_ffff;

/** value (in the quantity's SenML unit) -> wire integer. Throws RangeError when it cannot be represented. */
export function toWire(q: QuantityV1, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${q.name}: value must be a finite number`);
  const scaled = q.exponent <= 0 ? value * 10 ** -q.exponent : value / 10 ** q.exponent;
  // 1.005 * 100 is 100.49999999999999 in binary floating point; 15 significant digits (what a double holds
  // exactly in decimal) bring it back to 100.5, so ties round half away from zero as the decimal reads.
  const cleaned = Number(scaled.toPrecision(15));
  const rounded = Math.sign(cleaned) * Math.round(Math.abs(cleaned));
  if (Math.abs(rounded) > MAX_WIRE_MAGNITUDE) throw new RangeError(`${q.name}: ${value} ${q.unit} is beyond what the wire carries`);
  return rounded === 0 ? 0 : rounded; // no negative zero
}

/** wire integer -> value in the quantity's SenML unit. Division keeps 2137 -> 21.37 exact as a decimal literal. */
export function fromWire(q: QuantityV1, wire: number): number {
  return q.exponent <= 0 ? wire / 10 ** -q.exponent : wire * 10 ** q.exponent;
}
