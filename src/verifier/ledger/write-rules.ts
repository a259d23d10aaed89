// The rules the ledger's writes apply before touching a store, shared by both stores.
// Wrong-shaped arguments are programming errors (TypeError/RangeError naming the parameter); a replay is not an
// error but a verdict, built here so both stores word it the same way.
import { REASONS, type ReasonCode } from '../reasons.js';
import type { OwnershipTransferV1 } from './ledger.js';
import type { AcceptedReadingV1, RewardShareV1, SettlementV1, VerdictStatus, VerdictV1 } from '../types.js';

const STATUSES: readonly VerdictStatus[] = ['accepted', 'recorded', 'rejected'];
const HASH = /^[0-9a-f]{64}$/;

/** Statuses that carry a stored reading: the reading is what claims its (device, seq). */
export const hasReading = (status: VerdictStatus) => status === 'accepted' || status === 'recorded';

export function checkRecord(verdict: VerdictV1, reading: AcceptedReadingV1 | undefined): void {
  if (!verdict || verdict.v !== 1) throw new TypeError('verdict: expected a VerdictV1 (v: 1)');
  if (typeof verdict.messageHash !== 'string' || !HASH.test(verdict.messageHash)) {
    throw new TypeError('verdict.messageHash: expected 64 lowercase hex digits (SHA-256)');
  }
  if (!STATUSES.includes(verdict.status)) throw new TypeError(`verdict.status: expected one of ${STATUSES.join(', ')}`);
  if (!Object.hasOwn(REASONS, verdict.reason)) throw new TypeError(`verdict.reason: unknown reason code "${String(verdict.reason)}"`);
  if (!reading) {
    // Without its reading an accepted verdict would not claim its (device, seq), and a replay would slip through.
    if (hasReading(verdict.status)) throw new TypeError(`reading: required when verdict.status is ${verdict.status}`);
    return;
  }
  if (!hasReading(verdict.status)) throw new TypeError('reading: only an accepted or recorded verdict stores a reading');
  if (reading.messageHash !== verdict.messageHash) throw new TypeError('reading.messageHash: differs from verdict.messageHash');
  if (reading.deviceId !== verdict.deviceId) throw new TypeError('reading.deviceId: differs from verdict.deviceId');
  if (reading.seq !== verdict.seq) throw new TypeError('reading.seq: differs from verdict.seq');
}

/** What a verdict becomes when its (device, seq) was already taken by another message. */
export function replayOf(verdict: VerdictV1, takenBy: string): VerdictV1 {
  return {
    ...verdict,
    status: 'rejected',
    reason: 'replay',
    quality: null,
    detail: `seq ${verdict.seq} of device ${verdict.deviceId} was already taken by message ${takenBy}`,
  };
}

export interface Revision {
  status: VerdictStatus;
  reason: ReasonCode;
  detail: string;
  quality: number | null;
}

export function checkRevision(messageHash: string, change: Revision): void {
  if (typeof messageHash !== 'string' || !HASH.test(messageHash)) throw new TypeError('messageHash: expected 64 lowercase hex digits (SHA-256)');
  if (!STATUSES.includes(change.status)) throw new TypeError(`change.status: expected one of ${STATUSES.join(', ')}`);
  if (!Object.hasOwn(REASONS, change.reason)) throw new TypeError(`change.reason: unknown reason code "${String(change.reason)}"`);
  if (change.quality !== null && !(change.quality >= 0 && change.quality <= 1)) throw new RangeError('change.quality: 0..1 or null');
}

/** Thrown (as a RangeError) when there is no stored reading behind the message to revise. */
export const notRevisable = (messageHash: string) =>
  new RangeError(`messageHash: ${messageHash} has no stored reading to revise (unknown message, or its verdict was a rejection)`);

export function checkLimit(limit: number, name = 'limit'): void {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`${name}: a non-negative integer`);
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

export function checkSettlement(settlement: SettlementV1, shares: RewardShareV1[]): void {
  if (!settlement || settlement.v !== 1) throw new TypeError('settlement: expected a SettlementV1 (v: 1)');
  if (!Number.isInteger(settlement.epoch) || settlement.epoch < 0) throw new RangeError('settlement.epoch: a non-negative integer');
  if (!DECIMAL.test(settlement.total)) throw new TypeError('settlement.total: a decimal string of base units');
  for (const share of shares) {
    if (share.epoch !== settlement.epoch) throw new RangeError(`shares: a share of epoch ${share.epoch} in the settlement of epoch ${settlement.epoch}`);
    if (!DECIMAL.test(share.amount)) throw new TypeError(`shares: amount of device ${share.deviceId} is not a decimal string of base units`);
  }
}

export const unknownDevice = (deviceId: string) => new RangeError(`deviceId: no registered device ${deviceId}`);

/**
 * A transfer names the owner it takes the device from; if the owner changed since the caller read it (another
 * transfer won a race), recording it would rewrite history, so it is refused and nothing changes.
 */
export function checkTransferFrom(transfer: OwnershipTransferV1, currentOwner: string | null): void {
  if (transfer.from !== currentOwner) {
    throw new RangeError(`transfer.from: ${transfer.from} is not the owner of device ${transfer.deviceId} (now ${currentOwner}); the transfer was not recorded`);
  }
}
