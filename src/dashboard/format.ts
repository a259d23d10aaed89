// Display formats. Token amounts are integers in base units that exceed 2^53, so they stay strings (BigInt).

export function amount(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '–';
  try {
    return BigInt(value).toLocaleString('en-US');
  } catch {
    return String(value);
  }
}

export function num(value: unknown, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';
}

export function int(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

export function percent(value: unknown, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(digits)} %` : '–';
}

/** 2026-01-01 12:00:05Z from an ISO string or Unix ms; '–' for null. */
export function time(value: unknown): string {
  const d = typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '–';
}

/** 0x1234…abcd */
export function shortHex(value: unknown, keep = 6): string {
  if (typeof value !== 'string') return '–';
  return value.length > keep * 2 + 1 ? `${value.slice(0, keep)}…${value.slice(-4)}` : value;
}

/** '1 reading', '3 readings' */
export function count(n: unknown, noun: string): string {
  return `${int(n)} ${noun}${n === 1 ? '' : 's'}`;
}
