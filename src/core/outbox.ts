// The outbox: bounded store-and-forward of signed readings, oldest first.
// A reading enters the outbox before it is published and leaves only when the broker acknowledges it
// (PUBACK, MQTT 3.1.1 §4.3.2), so an outage or a reboot loses nothing that was stored.
// Policy when full: drop the oldest entry. Fresh data is worth more to the network than the oldest backlog,
// and the verifier rejects readings older than its backfill window anyway. Drops are counted and reported
// in the node's status message.

export interface OutboxEntry {
  seq: number;
  /** The COSE_Sign1 message, exactly as signed. */
  message: Uint8Array;
}

export interface Outbox {
  /** Store an entry (seq strictly greater than any stored). Returns how many old entries it pushed out. */
  append(entry: OutboxEntry): number;
  /** Up to `limit` entries, oldest first. */
  peek(limit: number): OutboxEntry[];
  /** Remove an acknowledged entry; unknown seq is ignored (it may have been dropped meanwhile). */
  remove(seq: number): void;
  readonly depth: number;
  readonly capacity: number;
  /** Entries dropped because the outbox was full, over the life of the store (a file outbox keeps the count). */
  readonly dropped: number;
}

export function assertCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity: a positive integer');
}

/** In-memory outbox (tests, simulations with many nodes). Its contents are gone when the program ends. */
export class MemoryOutbox implements Outbox {
  #entries: OutboxEntry[] = [];
  #head = 0;
  #dropped = 0;
  readonly capacity: number;

  constructor(capacity: number) {
    assertCapacity(capacity);
    this.capacity = capacity;
  }

  append(entry: OutboxEntry): number {
    const last = this.#entries[this.#entries.length - 1];
    if (this.depth > 0 && last && entry.seq <= last.seq) throw new RangeError(`entry.seq: ${entry.seq} is not above the newest stored (${last.seq})`);
    this.#entries.push({ seq: entry.seq, message: entry.message });
    let dropped = 0;
    while (this.depth > this.capacity) {
      this.#head++;
      dropped++;
    }
    this.#dropped += dropped;
    this.#compact();
    return dropped;
  }

  peek(limit: number): OutboxEntry[] {
    return this.#entries.slice(this.#head, this.#head + limit);
  }

  remove(seq: number): void {
    const i = this.#entries.findIndex((e, index) => index >= this.#head && e.seq === seq);
    if (i < 0) return;
    if (i === this.#head) this.#head++;
    else this.#entries.splice(i, 1);
    this.#compact();
  }

  get depth(): number {
    return this.#entries.length - this.#head;
  }

  get dropped(): number {
    return this.#dropped;
  }

  #compact(): void {
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
