// Sequence numbers: strictly increasing per device for the life of its key, never reused, even after a crash
// between signing and persisting. The allocator persists a reservation *before* handing out any number in it:
// after a reboot it starts at the stored reservation limit, skipping whatever the last run did not use.
// Storage is written once per `blockSize` readings, which spares flash (NVS) a write per reading.
import { decodeCbor, encodeCbor } from './cbor-codec.js';
import { FieldproofError } from './errors.js';
import type { Storage } from './host.js';

export const SEQUENCE_RECORD = 'seq.v1';
export const DEFAULT_SEQUENCE_BLOCK = 64;


export class SequenceAllocator {
  #storage: Storage;
  #blockSize: number;
  #next: number;
  #limit: number;

  /**
   * @param options.fresh true only when the key was created just now: the one case where no record may exist.
   * A missing record for an existing key would restart numbering at 0 and reuse numbers; that is refused.
   */
  constructor(storage: Storage, options: { blockSize?: number; fresh?: boolean } = {}) {
    const blockSize = options.blockSize ?? DEFAULT_SEQUENCE_BLOCK;
    if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 1_000_000) throw new RangeError('blockSize: an integer from 1 to 1,000,000');
    this.#storage = storage;
    this.#blockSize = blockSize;
    const stored = storage.get(SEQUENCE_RECORD);
    if (stored === undefined) {
      if (!options.fresh) {
        throw new FieldproofError(
          'FP_E_SEQ_MISSING',
          `sequence record "${SEQUENCE_RECORD}" is missing for an existing key; refusing to restart at 0 and reuse sequence numbers ` +
            '(restore the record, or set a floor above the last number the verifier saw)',
        );
      }
      this.#next = 0;
      storage.set(SEQUENCE_RECORD, encodeLimit(0)); // so that a reboot before the first reading finds a record
    } else {
      this.#next = decodeLimit(stored);
    }
    this.#limit = this.#next;
  }

  /** The next number to be handed out (for status and tests). */
  get peekNext(): number {
    return this.#next;
  }

  /** Reserve and return the next number. Persists a new reservation first when the current one is used up. */
  next(): number {
    if (this.#next >= this.#limit) {
      const limit = this.#next + this.#blockSize;
      if (!Number.isSafeInteger(limit)) throw new FieldproofError('FP_E_SEQ_EXHAUSTED', 'sequence numbers exhausted for this key');
      this.#storage.set(SEQUENCE_RECORD, encodeLimit(limit));
      this.#limit = limit;
    }
    return this.#next++;
  }
}

/** Raise the floor (operator recovery after a lost record): numbers below `floor` are never handed out. */
export function writeSequenceFloor(storage: Storage, floor: number): void {
  if (!Number.isSafeInteger(floor) || floor < 0) throw new RangeError('floor: a non-negative safe integer');
  const stored = storage.get(SEQUENCE_RECORD);
  if (stored !== undefined && decodeLimit(stored) > floor) return; // never lower it
  storage.set(SEQUENCE_RECORD, encodeLimit(floor));
}

function encodeLimit(limit: number): Uint8Array {
  return encodeCbor(new Map([[1, limit]]));
}

function decodeLimit(bytes: Uint8Array): number {
  const decoded = decodeCbor(bytes);
  const limit = decoded.ok && decoded.value instanceof Map ? decoded.value.get(1) : undefined;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new FieldproofError('FP_E_SEQ_CORRUPT', `sequence record "${SEQUENCE_RECORD}" is corrupt; refusing to guess a number that could be reused`);
  }
  return limit;
}
