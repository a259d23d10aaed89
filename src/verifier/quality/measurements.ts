// The shape the quality rules read: a device time and a list of {quantity, value}, as in AcceptedReadingV1.
// Wrong-shaped arguments are programming errors and throw, naming the parameter (STYLE.md §Errors).
import type { MeasurementValue } from '../types.js';

export interface TimedReading {
  /** Device time, Unix s. */
  readonly time: number;
  readonly measurements: readonly MeasurementValue[];
}

/** quantity -> value; the first entry wins if a quantity repeats (the decoder refuses repeats anyway). */
export function valuesOf(measurements: unknown, path: string): Map<string, number> {
  if (!Array.isArray(measurements)) throw new TypeError(`${path}: expected an array of {quantity, value}`);
  const out = new Map<string, number>();
  measurements.forEach((m: unknown, i) => {
    const item = m as Partial<MeasurementValue> | null;
    if (typeof item !== 'object' || item === null || typeof item.quantity !== 'string' || typeof item.value !== 'number') {
      throw new TypeError(`${path}[${i}]: expected {quantity: string, value: number}`);
    }
    if (!out.has(item.quantity)) out.set(item.quantity, item.value);
  });
  return out;
}

export function timeOf(reading: unknown, path: string): number {
  const time = (reading as Partial<TimedReading> | null)?.time;
  if (typeof reading !== 'object' || reading === null || typeof time !== 'number' || !Number.isFinite(time)) {
    throw new TypeError(`${path}.time: expected Unix seconds`);
  }
  return time;
}
