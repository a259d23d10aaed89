// out_of_range: a value outside what the air can do (the baseline range of its quantity) or outside what the
// sensor model can measure (its datasheet range). A value must lie within both: the model table narrows the
// baseline and never widens it, so a BME280's -40..85 Cel operating range does not make 80 Cel air plausible,
// while an SCD40's CO2 range of 400..2000 ppm does stop it earning for 3000 ppm.
import type { MeasurementValue } from '../types.js';
import { failure, PASS, withUnit, type QualityCheck } from './check-result.js';
import { valuesOf } from './measurements.js';
import { ruleOf, type QualityConfig } from './quality-config.js';

interface Bound {
  value: number;
  /** Where the bound comes from, for the detail: 'the physical range' or 'model scd40'. */
  source: string;
}

/**
 * Check every measurement against its range. `model` is the device's model, or a list of names (its model and
 * sensor kinds, e.g. ['fp-aq1', 'bme280', 'pms5003']); unknown names add nothing. Quantities with neither a
 * baseline nor a model range are not judged. The first value out of range (in measurement order) is reported.
 */
export function checkRanges(measurements: readonly MeasurementValue[], model: string | readonly string[] | null | undefined, cfg: QualityConfig): QualityCheck {
  const values = valuesOf(measurements, 'measurements');
  const models = model === null || model === undefined ? [] : typeof model === 'string' ? [model] : model;
  if (!Array.isArray(models) || !models.every((m) => typeof m === 'string')) throw new TypeError('model: expected a model name or a list of them');
  if (typeof cfg !== 'object' || cfg === null) throw new TypeError('cfg: expected a QualityConfig');
  const modelRules = models.filter((m) => Object.hasOwn(cfg.models, m)).map((m) => ({ name: m, rules: cfg.models[m]! }));

  for (const [quantity, value] of values) {
    let min: Bound | undefined;
    let max: Bound | undefined;
    const baseline = ruleOf(cfg.ranges, quantity);
    if (baseline) {
      min = { value: baseline.min, source: 'the physical range' };
      max = { value: baseline.max, source: 'the physical range' };
    }
    for (const m of modelRules) {
      const r = ruleOf(m.rules, quantity);
      if (!r) continue;
      if (!min || r.min > min.value) min = { value: r.min, source: `model ${m.name}` };
      if (!max || r.max < max.value) max = { value: r.max, source: `model ${m.name}` };
    }
    if (!min || !max) continue;
    if (!Number.isFinite(value)) {
      return failure('out_of_range', quantity, value, min.value, `${quantity} = ${value} is not a finite number`);
    }
    if (value < min.value) {
      return failure('out_of_range', quantity, value, min.value, `${quantity} = ${withUnit(quantity, value)} is below ${withUnit(quantity, min.value)}, the minimum of ${min.source}`);
    }
    if (value > max.value) {
      return failure('out_of_range', quantity, value, max.value, `${quantity} = ${withUnit(quantity, value)} is above ${withUnit(quantity, max.value)}, the maximum of ${max.source}`);
    }
  }
  return PASS;
}
