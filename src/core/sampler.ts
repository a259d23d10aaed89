// Reads every configured sensor and turns ECMA-419 samples into protocol measurements.
// A failing sensor (throws, returns nothing, returns a non-number) is reported through onError and its fields
// are left out of the reading; sample() itself never throws.
import type { Sensor } from './host.js';
import { quantityByName, type QuantityName } from './quantities.js';
import type { MeasurementV1 } from './reading.js';

/** Where a value sits in a sample, which quantity it is, and how to bring it to the quantity's SenML unit. */
export interface FieldMapping {
  /** Property path in the sample object, e.g. ['thermometer', 'temperature']. */
  path: readonly string[];
  quantity: QuantityName;
  /** Multiply the sample value by this to get the SenML unit (e.g. 100 for a 0..1 humidity). Default 1. */
  scale?: number;
}

export interface SensorBinding {
  /** Name used in error reports, e.g. "bme280@0x76". */
  name: string;
  sensor: Sensor;
  fields: readonly FieldMapping[];
}

export interface SensorError {
  sensor: string;
  quantity?: QuantityName;
  message: string;
}

// The shapes Moddable's ECMA-419 drivers return (modules/drivers/sensors/*), with the units of those drivers.
export const FIELDS = Object.freeze({
  thermometer: Object.freeze({ path: Object.freeze(['thermometer', 'temperature']), quantity: 'temperature' as const }),
  hygrometer: Object.freeze({ path: Object.freeze(['hygrometer', 'humidity']), quantity: 'humidity' as const }),
  /** Moddable's BME68x and others report relative humidity as a fraction 0..1. */
  hygrometerFraction: Object.freeze({ path: Object.freeze(['hygrometer', 'humidity']), quantity: 'humidity' as const, scale: 100 }),
  barometer: Object.freeze({ path: Object.freeze(['barometer', 'pressure']), quantity: 'pressure' as const }),
  pm1: Object.freeze({ path: Object.freeze(['particulateMatter', 'pm1']), quantity: 'pm1' as const }),
  pm2_5: Object.freeze({ path: Object.freeze(['particulateMatter', 'pm2_5']), quantity: 'pm2_5' as const }),
  pm10: Object.freeze({ path: Object.freeze(['particulateMatter', 'pm10']), quantity: 'pm10' as const }),
  co2: Object.freeze({ path: Object.freeze(['carbonDioxide', 'co2']), quantity: 'co2' as const }),
});

export class Sampler {
  readonly #bindings: readonly SensorBinding[];
  readonly #onError: (error: SensorError) => void;

  constructor(bindings: readonly SensorBinding[], onError: (error: SensorError) => void) {
    if (!Array.isArray(bindings)) throw new TypeError('bindings: expected an array');
    const seen = new Set<string>();
    for (const b of bindings) {
      if (!b || typeof b.sensor?.sample !== 'function') throw new TypeError(`bindings: ${b?.name ?? '?'} has no sample() method`);
      for (const f of b.fields) {
        if (!quantityByName(f.quantity)) throw new RangeError(`bindings: ${b.name} maps to unknown quantity ${f.quantity}`);
        if (seen.has(f.quantity)) throw new RangeError(`bindings: quantity ${f.quantity} comes from two sensors`);
        seen.add(f.quantity);
      }
    }
    this.#bindings = bindings;
    this.#onError = onError;
  }

  sample(): MeasurementV1[] {
    const out: MeasurementV1[] = [];
    for (const binding of this.#bindings) {
      let sample: unknown;
      try {
        sample = binding.sensor.sample();
      } catch (error) {
        this.#report({ sensor: binding.name, message: `sample() failed: ${messageOf(error)}` });
        continue;
      }
      if (sample === undefined || sample === null || typeof sample !== 'object') {
        this.#report({ sensor: binding.name, message: 'sample() returned no data' });
        continue;
      }
      for (const field of binding.fields) {
        const raw = pick(sample, field.path);
        const q = quantityByName(field.quantity)!;
        if (typeof raw !== 'number' || !Number.isFinite(raw)) {
          this.#report({ sensor: binding.name, quantity: field.quantity, message: `no finite value at ${field.path.join('.')}` });
          continue;
        }
        out.push({ quantity: field.quantity, value: raw * (field.scale ?? 1), unit: q.unit });
      }
    }
    return out;
  }

  #report(error: SensorError): void {
    try {
      this.#onError(error);
    } catch {
      // an error handler that throws must not stop sampling
    }
  }
}

function pick(sample: object, path: readonly string[]): unknown {
  let at: unknown = sample;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
