// The typed stages of the verifier, one per step of the one-way flow:
// broker message -> IngestReportV1 -> VerdictV1 (+ AcceptedReadingV1) -> ledger -> RewardShareV1 -> SettlementV1.
import type { ReasonCode } from './reasons.js';

/** What arrived, as it arrived: the input of the pipeline. */
export interface IngestReportV1 {
  v: 1;
  topic: string;
  message: Uint8Array;
  /** Server receive time, Unix ms. */
  receivedAt: number;
  /** SHA-256 of message, hex: the identity of the input (a redelivery has the same hash). */
  messageHash: string;
}

export type VerdictStatus = 'accepted' | 'recorded' | 'rejected';

/** One per input. accepted = earns by quality; recorded = kept, not rewarded, not penalised; rejected = earns nothing. */
export interface VerdictV1 {
  v: 1;
  messageHash: string;
  /** Known once the payload decodes (hex), else null. */
  deviceId: string | null;
  seq: number | null;
  /** Device time of the reading, Unix s. */
  readingTime: number | null;
  receivedAt: number;
  status: VerdictStatus;
  reason: ReasonCode;
  /** Human-readable detail: which field, which value, which limit. */
  detail: string;
  /** 0..1 for accepted readings, null otherwise. */
  quality: number | null;
  /** Epoch the reading counts in (from its device time), null when rejected before decoding. */
  epoch: number | null;
}

export interface MeasurementValue {
  quantity: string;
  value: number;
}

/**
 * An authenticated reading that passed the checks at ingest, as stored in the ledger: accepted, or recorded
 * (maintenance === true is the only way a reading is recorded rather than accepted).
 */
export interface AcceptedReadingV1 {
  deviceId: string;
  seq: number;
  /** Device time, Unix s. */
  time: number;
  receivedAt: number;
  epoch: number;
  measurements: MeasurementValue[];
  backfilled: boolean;
  maintenance: boolean;
  quality: number;
  messageHash: string;
  /** The signed COSE_Sign1 bytes, kept so anyone can re-verify. */
  message: Uint8Array;
}

export interface LocationClaim {
  lat: number;
  lon: number;
}

export type DeviceStatus = 'active' | 'suspended';

export interface DeviceRecordV1 {
  deviceId: string;
  publicKey: Uint8Array;
  model: string;
  sensorKinds: string[];
  location: LocationClaim;
  /** Area cell id derived from location (density caps apply per area). */
  area: string;
  /** Payout address (EVM, 0x + 40 hex), or null when unclaimed. */
  owner: string | null;
  status: DeviceStatus;
  registeredAt: number;
  /** Manufacturer attestation (COSE_Sign1 by a trusted fleet key), kept as evidence. */
  attestation: Uint8Array;
}

export interface RewardShareV1 {
  epoch: number;
  deviceId: string;
  owner: string | null;
  /** Score before caps: availability (share of sampling slots covered) x mean quality of valid readings. */
  score: number;
  /** Token amount in base units (decimal string: amounts are integers that exceed 2^53). */
  amount: string;
  /** 'earned', or why nothing: 'no_owner', 'below_quality', 'area_full', 'no_readings'. */
  outcome: 'earned' | 'no_owner' | 'below_quality' | 'area_full' | 'no_readings';
}

export interface SettlementV1 {
  v: 1;
  epoch: number;
  /** OpenZeppelin StandardMerkleTree root over [address owner, uint256 amount] leaves. */
  root: string;
  total: string;
  payouts: { owner: string; amount: string }[];
  /** StandardMerkleTree.dump() output, enough to prove any payout; null when nothing is paid (root = 32 zero bytes). */
  tree: unknown;
  /** Unix ms. */
  closedAt: number;
}
