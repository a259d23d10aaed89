// The outcome of one data-quality rule. A bad reading is a value, not an exception (STYLE.md §Errors): the
// pipeline turns a failure into a verdict carrying its reason code and detail.
import { quantityByName } from '../../core/quantities.js';
import type { ReasonCode } from '../reasons.js';

export type QualityReason = Extract<ReasonCode, 'out_of_range' | 'jump' | 'flat_line' | 'neighbour_outlier'>;

export interface QualityPass {
  readonly ok: true;
}

export interface QualityFailure {
  readonly ok: false;
  readonly reason: QualityReason;
  /** For people: which quantity, which value, which limit. */
  readonly detail: string;
  readonly quantity: string;
  readonly value: number;
  /** The limit the value broke, in the quantity's unit (a change for jump, seconds for flat_line). */
  readonly limit: number;
}

export type QualityCheck = QualityPass | QualityFailure;

export const PASS: QualityPass = Object.freeze({ ok: true });

export function failure(reason: QualityReason, quantity: string, value: number, limit: number, detail: string): QualityFailure {
  return Object.freeze({ ok: false, reason, detail, quantity, value, limit });
}

/** A number as a person reads it: 12 significant digits hide binary rounding (0.30000000000000004 -> 0.3). */
export function show(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(12))) : String(n);
}

/** "21.5 Cel": a value with the SenML unit of its quantity. */
export function withUnit(quantity: string, n: number): string {
  const unit = quantityByName(quantity)?.unit;
  return unit ? `${show(n)} ${unit}` : show(n);
}

/**
 * a > b, ignoring the binary rounding of decimal values: 23.37 - 20.37 is 3.0000000000000018, and a change of
 * exactly the limit must pass. The slack (1e-9 relative) is far below any wire resolution.
 */
export function beyond(a: number, b: number): boolean {
  return !(a <= b + 1e-9 * Math.max(1, Math.abs(b)));
}
