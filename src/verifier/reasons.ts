// Verdict reason codes: every input the verifier sees gets exactly one verdict carrying one of these.
// docs/VERDICTS.md documents each; a test checks the doc and this list agree.
// Order of the checks (issue #3): size -> decode -> device -> topic -> signature -> replay -> time -> quality.

export const REASONS = Object.freeze({
  // accepted
  ok: 'accepted: authentic, fresh, plausible; earns according to its quality score',
  maintenance: 'recorded, not rewarded and not penalised: taken in maintenance mode',
  // envelope and payload
  too_large: 'the message is larger than the size limit',
  malformed: 'not well-formed CBOR, truncated, or trailing bytes',
  too_deep: 'nesting deeper than the limit',
  non_deterministic: 'not in the deterministic encoding of RFC 8949 §4.2.1',
  unsupported: 'a CBOR type, tag or value the protocol does not use',
  not_cose_sign1: 'not a tagged COSE_Sign1 with embedded payload and 64-byte signature',
  unsupported_alg: 'the protected header is not exactly {1: -8} (EdDSA)',
  wrong_type: 'the reading payload does not match reading-v1',
  // identity
  unknown_device: 'no registered device has this id',
  inactive_device: 'the device is registered but suspended',
  topic_mismatch: 'the device id in the signed payload differs from the topic',
  bad_signature: 'the signature does not verify with the registered key',
  // replay and time
  duplicate: 'the same message was already received (redelivery); the first verdict stands',
  replay: 'another reading with this sequence number was already accepted',
  from_future: 'the device time is later than the receive time beyond the tolerance',
  too_old: 'the device time is older than the live window (or the backfill window if backfilled)',
  // data quality
  out_of_range: 'a value is outside the physical range for its quantity and sensor model',
  jump: 'a value changed faster than physically plausible since the previous reading',
  flat_line: 'a value has been stuck for longer than the flat-line window',
  neighbour_outlier: 'inconsistent with nearby stations in the same time bucket (robust z-score)',
  key_conflict: "the device's sequence numbers and times disagree within the epoch: its key signs on two boards",
});

export type ReasonCode = keyof typeof REASONS;

export const ACCEPTING_REASONS: readonly ReasonCode[] = ['ok', 'maintenance'];
