// Group commit for recordVerdict, shared by both stores. Calls made while the process is busy with other work
// (several readings in flight) are queued and handed to the store together on the next turn of the event loop
// (setImmediate), so one transaction and one commit carry many verdicts: on SQLite one WAL append and a share of
// a checkpoint instead of one each, on PostgreSQL one round trip instead of one per verdict.
// Each caller's promise settles with its own outcome, and only after the store has committed it (or failed it):
// the store returns one outcome per item, in order, and never reports an item stored that was rolled back.
// A store that runs flushes asynchronously (PostgreSQL) may have a few flushes in flight on separate connections;
// while all are busy, new calls wait and form the next, larger batch.
import type { RecordResult } from './ledger.js';
import type { AcceptedReadingV1, VerdictV1 } from '../types.js';

export interface RecordItem {
  verdict: VerdictV1;
  reading: AcceptedReadingV1 | undefined;
}

export type RecordOutcome = { ok: true; result: RecordResult } | { ok: false; error: unknown };

/** Store a batch, one outcome per item in order. Synchronous (SQLite) or not (PostgreSQL); it must not throw. */
export type FlushRecords = (items: RecordItem[]) => RecordOutcome[] | Promise<RecordOutcome[]>;

interface Pending extends RecordItem {
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

export interface RecordBatcherOptions {
  /** Most items in one batch (default 256). */
  maxBatch?: number;
  /** Most flushes in flight at once (default 1). */
  maxFlushes?: number;
}

export class RecordBatcher {
  readonly #flush: FlushRecords;
  readonly #maxBatch: number;
  readonly #maxFlushes: number;
  #queue: Pending[] = [];
  #scheduled = false;
  #flushing = 0;
  #idle: (() => void)[] = [];

  constructor(flush: FlushRecords, options: RecordBatcherOptions = {}) {
    this.#flush = flush;
    this.#maxBatch = options.maxBatch ?? 256;
    this.#maxFlushes = options.maxFlushes ?? 1;
  }

  /** Items queued and not yet handed to the store. */
  get pending(): number {
    return this.#queue.length;
  }

  add(verdict: VerdictV1, reading: AcceptedReadingV1 | undefined): Promise<RecordResult> {
    return new Promise<RecordResult>((resolve, reject) => {
      this.#queue.push({ verdict, reading, resolve, reject });
      this.#schedule();
    });
  }

  /** Store everything queued now, without waiting for the next turn of the event loop (before closing a store). */
  flushNow(): void {
    this.#start();
  }

  /** Resolves when nothing is queued or being stored. */
  async drained(): Promise<void> {
    this.#start();
    while (this.#queue.length > 0 || this.#flushing > 0) {
      await new Promise<void>((resolve) => this.#idle.push(resolve));
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing >= this.#maxFlushes || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#start();
    });
  }

  #start(): void {
    while (this.#flushing < this.#maxFlushes && this.#queue.length > 0) {
      const batch = this.#queue.length <= this.#maxBatch ? this.#queue : this.#queue.slice(0, this.#maxBatch);
      this.#queue = batch === this.#queue ? [] : this.#queue.slice(this.#maxBatch);
      this.#flushing++;
      let outcomes: RecordOutcome[] | Promise<RecordOutcome[]>;
      try {
        outcomes = this.#flush(batch);
      } catch (error) {
        outcomes = batch.map(() => ({ ok: false, error }));
      }
      if (Array.isArray(outcomes)) {
        this.#settle(batch, outcomes);
      } else {
        outcomes.then(
          (out) => this.#settle(batch, out),
          (error: unknown) => this.#settle(batch, batch.map(() => ({ ok: false, error }))),
        );
      }
    }
  }

  #settle(batch: Pending[], outcomes: RecordOutcome[]): void {
    this.#flushing--;
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i] ?? { ok: false, error: new Error(`ledger: no outcome for item ${i} of a batch of ${batch.length}`) };
      if (outcome.ok) batch[i]!.resolve(outcome.result);
      else batch[i]!.reject(outcome.error);
    }
    if (this.#queue.length > 0) this.#schedule();
    else if (this.#flushing === 0) for (const wake of this.#idle.splice(0)) wake();
  }
}
