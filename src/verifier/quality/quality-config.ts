// The limits of the data-quality rules: physical ranges (ranges.ts), jump and flat line (history.ts), neighbour
// consistency (neighbours.ts) and the quality score (score.ts). Every number is in the quantity's SenML unit as it
// travels on the wire (src/core/quantities.ts): pressure in Pa, not hPa.
// parseQualityConfig() reads an operator's (partial) config over these defaults and names the field it refuses.
import { QUANTITIES_V1, quantityByName, type QuantityName } from '../../core/quantities.js';

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** A rule per quantity; a quantity without an entry is not judged by that rule. */
export type QuantityRules<T> = Readonly<Partial<Record<QuantityName, T>>>;

export interface JumpConfig {
  /** Largest plausible change per minute, per quantity. */
  readonly perMinute: QuantityRules<number>;
  /** Readings closer than this are allowed one full minute's change (sampling noise is not a rate). */
  readonly minElapsedS: number;
  /** The allowance stops growing here, so a long gap does not allow anything. */
  readonly maxElapsedS: number;
  /** A previous reading older than this is no reference at all: the check is skipped (see history.ts). */
  readonly staleAfterS: number;
}

export interface FlatLineRule {
  /** Unchanged for longer than this is stuck. */
  readonly windowS: number;
  /** Values within epsilon of the current value count as unchanged. */
  readonly epsilon: number;
  /** At or below: a legitimate resting value (clean air, calm, night); never flat. */
  readonly floor?: number;
  /** At or above: a legitimate saturation (fog at 100 %RH); never flat. */
  readonly ceiling?: number;
}

export interface FlatLineConfig {
  readonly rules: QuantityRules<FlatLineRule>;
  /** Two consecutive readings further apart than this do not show the value stayed put in between. */
  readonly maxGapS: number;
}

export interface NeighbourConfig {
  readonly radiusKm: number;
  /** Width of a time bucket, seconds: readings of one bucket are compared with each other. */
  readonly bucketS: number;
  /** Fewer neighbours with the quantity than this: no comparison (and no penalty). */
  readonly minNeighbours: number;
  /** Only the nearest this many neighbours with the quantity count. */
  readonly maxNeighbours: number;
  /** |z| above this is a neighbour outlier (rejected). */
  readonly zReject: number;
  /** |z| up to this earns full quality; the score falls linearly from here to 0 at zReject. */
  readonly zFull: number;
  /** Smallest MAD used per quantity; only quantities listed here are compared with neighbours. */
  readonly madFloor: QuantityRules<number>;
  /**
   * Device consistency over an epoch: the share of its neighbour-reviewed readings within zFull. A device below
   * this share earns nothing for the epoch ('below_quality'), however mild each single deviation; 0 turns it off.
   */
  readonly minConsistency: number;
  /** Fewer neighbour-reviewed readings in the epoch than this: consistency is not judged. */
  readonly minConsistencyReadings: number;
}

export interface QualityConfig {
  /** Physical range of each quantity, whatever the sensor. */
  readonly ranges: QuantityRules<ValueRange>;
  /** Measuring range per sensor model; it narrows the baseline range, never widens it (ranges.ts). */
  readonly models: Readonly<Record<string, QuantityRules<ValueRange>>>;
  readonly jump: JumpConfig;
  readonly flatLine: FlatLineConfig;
  readonly neighbour: NeighbourConfig;
}

/** Half a wire step: two values within it are the same wire integer (quantities.ts exponent). */
function halfStep(name: QuantityName): number {
  return 0.5 * 10 ** quantityByName(name)!.exponent;
}

const HOUR = 3600;

export const DEFAULT_QUALITY_CONFIG: QualityConfig = deepFreeze({
  // Baseline physical ranges of issue #3. Air temperature records are -89.2 and 56.7 Cel: -40..60 rejects genuine
  // readings in the coldest inhabited places (Yakutia, the Canadian Arctic), where ranges.temperature needs widening.
  // Pressure 300..1100 hPa is the usual sensor span. CO2 keeps the floor of 400 ppm, although today's
  // background is about 420 ppm and an honest NDIR sensor (+-(50 ppm + 5 %)) can read a little below 400.
  ranges: {
    temperature: { min: -40, max: 60 },
    humidity: { min: 0, max: 100 },
    pressure: { min: 30_000, max: 110_000 },
    pm1: { min: 0, max: 1000 },
    pm2_5: { min: 0, max: 1000 },
    pm10: { min: 0, max: 2000 },
    co2: { min: 400, max: 10_000 },
    wind_speed: { min: 0, max: 75 },
    illuminance: { min: 0, max: 200_000 },
    battery: { min: 0, max: 6 },
  },
  models: {
    // BME280 datasheet §1 "Specification": operating range -40..85 Cel, 0..100 %RH, 300..1100 hPa.
    bme280: { temperature: { min: -40, max: 85 }, humidity: { min: 0, max: 100 }, pressure: { min: 30_000, max: 110_000 } },
    // SHT4x datasheet, humidity and temperature specifications: 0..100 %RH, -40..125 Cel.
    sht4x: { temperature: { min: -40, max: 125 }, humidity: { min: 0, max: 100 } },
    // SCD4x datasheet, CO2 sensor specifications table: the specified range is 400..2000 ppm (SCD40) and 400..5000 ppm
    // (SCD41); the output goes to 40000 ppm, but beyond the specified range the accuracy is not stated, so it
    // earns nothing. Temperature and humidity are left out: a device may read them from another sensor.
    scd40: { co2: { min: 400, max: 2000 } },
    scd41: { co2: { min: 400, max: 5000 } },
    // PMS5003 data manual, "Technical Index": effective range 0..500 ug/m3, maximum range >= 1000 ug/m3
    // (PM2.5 standard). We keep the maximum range: smoke episodes go past 500 and are the readings that matter most.
    pms5003: { pm1: { min: 0, max: 1000 }, pm2_5: { min: 0, max: 1000 }, pm10: { min: 0, max: 1000 } },
  },
  jump: {
    // Air temperature 3 Cel and humidity 10 %RH per minute are the step-test limits for 1-minute values of the
    // WMO guidelines on QC of AWS data (Zahumenský 2004, from memory; ZAMG applies the same 3.0 Cel and 10 %). The same
    // guidelines give 0.5 hPa for pressure; we allow 1 hPa (100 Pa): consumer sensors without IIR filtering,
    // and gust-front pressure jumps of a few hPa in minutes. Wind 20 m/s per WMO. PM, CO2 and light change
    // legitimately in seconds (a passing truck, someone breathing by the inlet, a cloud), so their limits only
    // catch swings across most of the range. Battery: a charger or a fresh cell adds about 1.2 V at once.
    perMinute: {
      temperature: 3,
      humidity: 10,
      pressure: 100,
      pm1: 500,
      pm2_5: 500,
      pm10: 1000,
      co2: 1000,
      wind_speed: 20,
      illuminance: 100_000,
      battery: 2,
    },
    minElapsedS: 60,
    // 30 min of allowance at most: pressure then allows 30 hPa, about what a deep cyclone does in a few hours.
    maxElapsedS: 30 * 60,
    // Without it an honest device whose value really moved further than the capped allowance during an outage
    // would be compared with the same old reading for ever; 3 h bounds that lock-out.
    staleAfterS: 3 * HOUR,
  },
  flatLine: {
    rules: {
      temperature: { windowS: 6 * HOUR, epsilon: halfStep('temperature') },
      // Fog and rain hold the air at saturation for hours; sensors crop RH at 100 %RH.
      humidity: { windowS: 6 * HOUR, epsilon: halfStep('humidity'), ceiling: 100 },
      pressure: { windowS: 6 * HOUR, epsilon: halfStep('pressure') },
      // Clean air reads 0 or 1 ug/m3 for hours on 1 ug/m3-resolution sensors (PMS5003 "Resolution 1 ug/m3").
      pm1: { windowS: 6 * HOUR, epsilon: halfStep('pm1'), floor: 1 },
      pm2_5: { windowS: 6 * HOUR, epsilon: halfStep('pm2_5'), floor: 1 },
      pm10: { windowS: 6 * HOUR, epsilon: halfStep('pm10'), floor: 1 },
      // NDIR sensors with automatic baseline correction treat their clean-air minimum as 400 ppm, and some
      // clamp there, so an outdoor sensor can sit at 400 for hours.
      co2: { windowS: 6 * HOUR, epsilon: halfStep('co2'), floor: 400 },
      // Calm: a cup anemometer reads 0 below its starting threshold, all night if need be.
      wind_speed: { windowS: 6 * HOUR, epsilon: halfStep('wind_speed'), floor: 0 },
      // Night (with street lighting: steady tens of lux); full sun saturates common 16-bit light sensors (a BH1750
      // at its default sensitivity tops out near 54,600 lx), and a saturated sensor is flat for hours at noon.
      illuminance: { windowS: 6 * HOUR, epsilon: halfStep('illuminance'), floor: 50, ceiling: 50_000 },
      // battery: not judged. Mains-powered and fully charged nodes hold a steady voltage; it is not an observation.
    },
    maxGapS: HOUR,
  },
  neighbour: {
    radiusKm: 10,
    bucketS: 600,
    minNeighbours: 4,
    maxNeighbours: 32,
    // Iglewicz & Hoaglin (1993) recommend labelling |modified z| > 3.5 as a potential outlier.
    zReject: 3.5,
    // About 95 % of an honest, normally spread neighbourhood lies within 2 robust standard deviations.
    zFull: 2,
    // An honest station is within zFull about 95 % of the time; one that is within it less than half the time is
    // consistently off (a made-up or badly sited station) even when no single reading reaches zReject. The fleet
    // simulator's invented stations are within it about 5 % of the time, honest ones 100 %.
    minConsistency: 0.5,
    minConsistencyReadings: 6,
    // A deviation must exceed zReject * floor / 0.6745 (5.2 floors) before it can be an outlier: temperature
    // 5.2 Cel, humidity 15.6 %RH, PM 26..52 ug/m3, CO2 156 ppm — above what sensor accuracy (BME280 +-1 Cel,
    // +-3 %RH; PMS5003 +-10 ug/m3; SCD4x +-(50 ppm + 5 %)) and honest siting differences produce in 10 km.
    // Not compared: pressure (it falls ~12 Pa per metre of altitude and we do not know station heights),
    // wind speed (exposure and mast height dominate), illuminance (shade) and battery (not an observation).
    madFloor: {
      temperature: 1,
      humidity: 3,
      pm1: 5,
      pm2_5: 5,
      pm10: 10,
      co2: 30,
    },
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Parsing: an operator's config is read over the defaults. Objects merge key by key; a {min, max} range and a
// flat-line rule are replaced whole; null removes a default entry (e.g. neighbour.madFloor.pm10: null stops
// comparing PM10 with neighbours). Unknown fields and quantities are refused, so a typo cannot silently keep a default.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectAt(v: unknown, path: string): Json {
  if (!isObject(v)) throw new TypeError(`${path}: expected an object`);
  return v;
}

function onlyKeys(o: Json, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new RangeError(`${path}.${k}: unknown field`);
}

function finiteAt(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${path}: expected a finite number`);
  return v;
}

function positiveAt(v: unknown, path: string): number {
  const n = finiteAt(v, path);
  if (n <= 0) throw new RangeError(`${path}: must be greater than 0`);
  return n;
}

function nonNegativeAt(v: unknown, path: string): number {
  const n = finiteAt(v, path);
  if (n < 0) throw new RangeError(`${path}: must not be negative`);
  return n;
}

function positiveIntegerAt(v: unknown, path: string): number {
  const n = finiteAt(v, path);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${path}: must be a positive integer`);
  return n;
}

function rangeAt(v: unknown, path: string): ValueRange {
  const o = objectAt(v, path);
  onlyKeys(o, ['min', 'max'], path);
  const min = finiteAt(o.min, `${path}.min`);
  const max = finiteAt(o.max, `${path}.max`);
  if (!(min < max)) throw new RangeError(`${path}: min (${min}) must be below max (${max})`);
  return { min, max };
}

function flatRuleAt(v: unknown, path: string): FlatLineRule {
  const o = objectAt(v, path);
  onlyKeys(o, ['windowS', 'epsilon', 'floor', 'ceiling'], path);
  const rule: { windowS: number; epsilon: number; floor?: number; ceiling?: number } = {
    windowS: positiveAt(o.windowS, `${path}.windowS`),
    epsilon: nonNegativeAt(o.epsilon, `${path}.epsilon`),
  };
  if (o.floor !== undefined) rule.floor = finiteAt(o.floor, `${path}.floor`);
  if (o.ceiling !== undefined) rule.ceiling = finiteAt(o.ceiling, `${path}.ceiling`);
  if (rule.floor !== undefined && rule.ceiling !== undefined && !(rule.floor < rule.ceiling)) {
    throw new RangeError(`${path}: floor (${rule.floor}) must be below ceiling (${rule.ceiling})`);
  }
  return rule;
}

/** Merge a per-quantity map over its defaults; null deletes an entry. */
function quantityRulesAt<T>(v: unknown, base: QuantityRules<T>, path: string, item: (v: unknown, path: string) => T): QuantityRules<T> {
  if (v === undefined) return base;
  const o = objectAt(v, path);
  const out: Partial<Record<QuantityName, T>> = { ...base };
  for (const [k, value] of Object.entries(o)) {
    if (!quantityByName(k)) throw new RangeError(`${path}.${k}: unknown quantity (known: ${QUANTITIES_V1.map((q) => q.name).join(', ')})`);
    if (value === null) delete out[k as QuantityName];
    else out[k as QuantityName] = item(value, `${path}.${k}`);
  }
  return out;
}

const MODEL_NAME = /^[a-z0-9._-]{1,32}$/; // as registry/attestation.ts spells models and sensor kinds

function modelsAt(v: unknown, base: QualityConfig['models'], path: string): QualityConfig['models'] {
  if (v === undefined) return base;
  const o = objectAt(v, path);
  const out: Record<string, QuantityRules<ValueRange>> = { ...base };
  for (const [model, ranges] of Object.entries(o)) {
    // "__proto__" and "constructor" fit the pattern but would reach Object.prototype through a plain object.
    if (!MODEL_NAME.test(model) || model in Object.prototype) throw new RangeError(`${path}.${model}: model names are 1 to 32 of a-z 0-9 . _ -`);
    if (ranges === null) delete out[model];
    else out[model] = quantityRulesAt(ranges, Object.hasOwn(base, model) ? base[model]! : {}, `${path}.${model}`, rangeAt);
  }
  return out;
}

function jumpAt(v: unknown, base: JumpConfig, path: string): JumpConfig {
  if (v === undefined) return base;
  const o = objectAt(v, path);
  onlyKeys(o, ['perMinute', 'minElapsedS', 'maxElapsedS', 'staleAfterS'], path);
  const jump: JumpConfig = {
    perMinute: quantityRulesAt(o.perMinute, base.perMinute, `${path}.perMinute`, positiveAt),
    minElapsedS: o.minElapsedS === undefined ? base.minElapsedS : positiveAt(o.minElapsedS, `${path}.minElapsedS`),
    maxElapsedS: o.maxElapsedS === undefined ? base.maxElapsedS : positiveAt(o.maxElapsedS, `${path}.maxElapsedS`),
    staleAfterS: o.staleAfterS === undefined ? base.staleAfterS : positiveAt(o.staleAfterS, `${path}.staleAfterS`),
  };
  if (jump.minElapsedS > jump.maxElapsedS) throw new RangeError(`${path}.maxElapsedS: must not be below minElapsedS (${jump.minElapsedS})`);
  if (jump.maxElapsedS > jump.staleAfterS) throw new RangeError(`${path}.staleAfterS: must not be below maxElapsedS (${jump.maxElapsedS})`);
  return jump;
}

function flatLineAt(v: unknown, base: FlatLineConfig, path: string): FlatLineConfig {
  if (v === undefined) return base;
  const o = objectAt(v, path);
  onlyKeys(o, ['rules', 'maxGapS'], path);
  return {
    rules: quantityRulesAt(o.rules, base.rules, `${path}.rules`, flatRuleAt),
    maxGapS: o.maxGapS === undefined ? base.maxGapS : positiveAt(o.maxGapS, `${path}.maxGapS`),
  };
}

function neighbourAt(v: unknown, base: NeighbourConfig, path: string): NeighbourConfig {
  if (v === undefined) return base;
  const o = objectAt(v, path);
  const numbers = ['radiusKm', 'bucketS', 'minNeighbours', 'maxNeighbours', 'zReject', 'zFull', 'minConsistency', 'minConsistencyReadings'] as const;
  onlyKeys(o, [...numbers, 'madFloor'], path);
  const pick = (k: (typeof numbers)[number], read: (v: unknown, path: string) => number) =>
    o[k] === undefined ? base[k] : read(o[k], `${path}.${k}`);
  const n: NeighbourConfig = {
    radiusKm: pick('radiusKm', positiveAt),
    bucketS: pick('bucketS', positiveIntegerAt),
    minNeighbours: pick('minNeighbours', positiveIntegerAt),
    maxNeighbours: pick('maxNeighbours', positiveIntegerAt),
    zReject: pick('zReject', positiveAt),
    zFull: pick('zFull', nonNegativeAt),
    madFloor: quantityRulesAt(o.madFloor, base.madFloor, `${path}.madFloor`, positiveAt),
    minConsistency: pick('minConsistency', nonNegativeAt),
    minConsistencyReadings: pick('minConsistencyReadings', positiveIntegerAt),
  };
  if (n.minConsistency > 1) throw new RangeError(`${path}.minConsistency: a share from 0 to 1`);
  if (n.maxNeighbours < n.minNeighbours) throw new RangeError(`${path}.maxNeighbours: must not be below minNeighbours (${n.minNeighbours})`);
  if (!(n.zFull < n.zReject)) throw new RangeError(`${path}.zFull: must be below zReject (${n.zReject})`);
  return n;
}

/**
 * Read a quality config (e.g. parsed JSON) over DEFAULT_QUALITY_CONFIG. Throws TypeError (wrong type) or
 * RangeError (bad value, unknown field or quantity) whose message starts with the path of the field.
 */
export function parseQualityConfig(obj: unknown, base: QualityConfig = DEFAULT_QUALITY_CONFIG): QualityConfig {
  const o = objectAt(obj, 'obj');
  onlyKeys(o, ['ranges', 'models', 'jump', 'flatLine', 'neighbour'], 'obj');
  return deepFreeze({
    ranges: quantityRulesAt(o.ranges, base.ranges, 'obj.ranges', rangeAt),
    models: modelsAt(o.models, base.models, 'obj.models'),
    jump: jumpAt(o.jump, base.jump, 'obj.jump'),
    flatLine: flatLineAt(o.flatLine, base.flatLine, 'obj.flatLine'),
    neighbour: neighbourAt(o.neighbour, base.neighbour, 'obj.neighbour'),
  });
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const inner of Object.values(v)) deepFreeze(inner);
    Object.freeze(v);
  }
  return v;
}

/** The rule of a quantity, or undefined; own keys only, so "constructor" or "__proto__" find nothing. */
export function ruleOf<T>(rules: QuantityRules<T>, quantity: string): T | undefined {
  return Object.hasOwn(rules, quantity) ? rules[quantity as QuantityName] : undefined;
}
