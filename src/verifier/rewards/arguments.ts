// Shape checks shared by the reward modules. House style (../shared/STYLE.md, Errors): a malformed argument throws
// TypeError (wrong type) or RangeError (right type, value out of range) whose message names the parameter.

/** uint256 max: every amount must fit the settlement's Merkle leaf type (Solidity ABI spec, `uint<M>`). */
export const UINT256_MAX = (1n << 256n) - 1n;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** A safe integer >= min (TypeError when not an integer, RangeError when below min). */
export function checkInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${name}: expected a safe integer, got ${describe(value)}`);
  }
  if (value < min) throw new RangeError(`${name}: expected at least ${min}, got ${value}`);
  return value;
}

/** A finite number within [min, max] (or (min, max] when minExclusive). */
export function checkNumber(value: unknown, name: string, min: number, max: number, minExclusive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name}: expected a finite number, got ${describe(value)}`);
  }
  if (value > max || value < min || (minExclusive && value === min)) {
    throw new RangeError(`${name}: expected a number in ${minExclusive ? '(' : '['}${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * A token amount in base units: a canonical decimal string (no sign, no leading zeros, no exponent), at most
 * uint256 max. Decimal strings because amounts exceed 2^53 (RewardShareV1.amount, SettlementV1.total).
 */
export function parseAmount(value: unknown, name: string): bigint {
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new TypeError(`${name}: expected a decimal string of base units (digits, no leading zeros), got ${describe(value)}`);
  }
  const amount = BigInt(value);
  if (amount > UINT256_MAX) throw new RangeError(`${name}: ${value} does not fit uint256`);
  return amount;
}

export function checkArray(value: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${name}: expected an array, got ${describe(value)}`);
  return value;
}

export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name}: expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Code-unit order: locale-independent, so every recomputation sorts the same way (never localeCompare). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
