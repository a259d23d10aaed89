// Running tallies behind the dashboard's routes, so that a poll every few seconds costs what arrived since the last
// poll, not the whole window again. A fleet of 10,000 nodes sends ~170 readings a second: re-reading 30 minutes of
// them (300,000 rows) on every poll takes seconds of the event loop, which ingest shares (bench/dashboard-queries.ts).
// Each tally asks the ledger in slices and yields to the event loop between them, so a first, large catch-up never
// holds ingest up for more than one slice.
import type { Ledger, OwnerReadings, SeriesPoint } from '../ledger/ledger.js';
import type { DeviceRecordV1 } from '../types.js';
import type { LatestVerdicts, OwnerTallyResult } from './fleet-status.js';

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * The latest verdict, acceptance and rejection time of every device that had a verdict since the tally began.
 * Latest-of is idempotent, so each ask overlaps the previous one by `lagMs` (verdicts committed slightly out of
 * receive order are not missed) at no risk of counting anything twice.
 */
export class ActivityTally {
  readonly #ledger: Ledger;
  readonly #lagMs: number;
  readonly #latest = new Map<string, LatestVerdicts>();
  /** Every verdict received at or after this (Unix ms) is in the tally. */
  #coveredFrom = Number.POSITIVE_INFINITY;
  /** Latest receive time seen: the next ask starts lagMs before it. */
  #seen = 0;

  constructor(ledger: Ledger, options: { lagMs?: number } = {}) {
    this.#ledger = ledger;
    this.#lagMs = options.lagMs ?? 10_000;
  }

  /** The tally, brought up to date and covering every verdict received at or after `since` (Unix ms). */
  async since(since: number): Promise<ReadonlyMap<string, LatestVerdicts>> {
    const from = since < this.#coveredFrom ? Math.max(0, since) : Math.max(0, Math.max(this.#seen, this.#coveredFrom) - this.#lagMs);
    for (const a of await this.#ledger.deviceActivity(Math.floor(from))) {
      const had = this.#latest.get(a.deviceId);
      this.#latest.set(a.deviceId, had
        ? { lastAt: Math.max(had.lastAt, a.lastAt), lastAcceptedAt: later(had.lastAcceptedAt, a.lastAcceptedAt), lastRejectedAt: later(had.lastRejectedAt, a.lastRejectedAt) }
        : { lastAt: a.lastAt, lastAcceptedAt: a.lastAcceptedAt, lastRejectedAt: a.lastRejectedAt });
      this.#seen = Math.max(this.#seen, a.lastAt);
    }
    this.#coveredFrom = Math.min(this.#coveredFrom, Math.max(0, since));
    if (this.#seen === 0) this.#seen = this.#coveredFrom;
    return this.#latest;
  }
}

/**
 * Accepted readings per owner in the open epoch. Counts add up, so the tally keeps what it counted and each ask
 * adds the verdicts received since (up to lagMs ago); the last lagMs are counted afresh each time and not kept.
 * Catching up with an epoch's past goes in slices, for at most budgetMs per ask.
 */
export class OwnerTally {
  readonly #ledger: Ledger;
  readonly #lagMs: number;
  readonly #budgetMs: number;
  #epoch: number | undefined;
  #counts = new Map<string | null, number>();
  #countedTo = 0;
  #sliceMs = 60_000;

  constructor(ledger: Ledger, options: { lagMs?: number; budgetMs?: number } = {}) {
    this.#ledger = ledger;
    this.#lagMs = options.lagMs ?? 10_000;
    this.#budgetMs = options.budgetMs ?? 250;
  }

  /** Asks in progress run one after the other: two at once would both add the same slice. */
  #queue: Promise<unknown> = Promise.resolve();

  /** epochStartS: the epoch's first second (readings can arrive a little before it: up to the future tolerance). */
  count(epoch: number, epochStartS: number, nowMs: number): Promise<OwnerTallyResult> {
    const run = this.#queue.then(() => this.#count(epoch, epochStartS, nowMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #count(epoch: number, epochStartS: number, nowMs: number): Promise<OwnerTallyResult> {
    if (epoch !== this.#epoch) {
      this.#epoch = epoch;
      this.#counts = new Map();
      this.#countedTo = Math.max(0, (epochStartS - 600) * 1000);
      this.#sliceMs = 60_000;
    }
    const settled = Math.floor(nowMs - this.#lagMs);
    const started = performance.now();
    // At least one slice per ask, so the tally always moves on; more while the budget lasts.
    for (let slices = 0; this.#countedTo < settled && (slices === 0 || performance.now() - started < this.#budgetMs); slices++) {
      const to = Math.min(settled, this.#countedTo + this.#sliceMs);
      const t = performance.now();
      this.#add(this.#counts, await this.#ledger.acceptedByOwner(epoch, this.#countedTo, to));
      this.#countedTo = to;
      // Slices that come back fast grow, slow ones shrink: a small fleet catches up in a few asks, a large one
      // never holds the event loop for long.
      this.#sliceMs = performance.now() - t < 20 ? Math.min(this.#sliceMs * 2, 86_400_000) : Math.max(10_000, this.#sliceMs / 2);
      await yieldToLoop();
    }
    const complete = this.#countedTo >= settled;
    const counts = new Map(this.#counts);
    if (complete) this.#add(counts, await this.#ledger.acceptedByOwner(epoch, this.#countedTo, Number.MAX_SAFE_INTEGER));
    const readingsByOwner = [...counts.entries()]
      .map(([owner, readings]) => ({ owner, readings }))
      .sort((a, b) => (a.owner === null ? 1 : b.owner === null ? -1 : a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    return { epoch, readingsByOwner, countedUntil: complete ? Math.max(nowMs, this.#countedTo) : this.#countedTo, complete };
  }

  #add(into: Map<string | null, number>, rows: OwnerReadings[]): void {
    for (const r of rows) into.set(r.owner, (into.get(r.owner) ?? 0) + r.readings);
  }
}

/**
 * The fleet's readings per quantity and time bucket. A bucket ending more than settleS before now is read once and
 * kept (readings that arrive later than that, from an outbox catching up or a backfill, are stored and credited but
 * not redrawn); newer buckets are read at every ask, at most once per freshMs.
 */
export class SeriesBuckets {
  readonly #ledger: Ledger;
  readonly #settleS: number;
  readonly #freshMs: number;
  readonly #maxBuckets: number;
  readonly #settled = new Map<string, SeriesPoint[]>();
  #recent: { key: string; at: number; points: SeriesPoint[] } | undefined;

  constructor(ledger: Ledger, options: { settleS?: number; freshMs?: number; maxBuckets?: number } = {}) {
    this.#ledger = ledger;
    this.#settleS = options.settleS ?? 120;
    this.#freshMs = options.freshMs ?? 2000;
    this.#maxBuckets = options.maxBuckets ?? 20_000;
  }

  async between(from: number, to: number, bucketS: number, nowS: number): Promise<SeriesPoint[]> {
    const out: SeriesPoint[] = [];
    const settledBefore = nowS - this.#settleS;
    let b = from;
    while (b < to && b + bucketS <= settledBefore) {
      const key = `${bucketS}:${b}`;
      let points = this.#settled.get(key);
      if (!points) {
        // One query for a run of missing settled buckets (up to 2: ~0.2 s for a minute of 10,000 nodes, see
        // bench/dashboard-queries.ts), then a yield.
        let end = b + bucketS;
        while (end < to && end + bucketS <= settledBefore && end - b < 2 * bucketS && !this.#settled.has(`${bucketS}:${end}`)) end += bucketS;
        const fetched = await this.#ledger.readingSeries(b, end, bucketS);
        for (let x = b; x < end; x += bucketS) this.#keep(`${bucketS}:${x}`, fetched.filter((p) => p.bucket === x));
        await yieldToLoop();
        points = this.#settled.get(key)!;
      }
      out.push(...points);
      b += bucketS;
    }
    if (b < to) {
      const key = `${bucketS}:${b}:${to}`;
      const now = performance.now();
      if (!this.#recent || this.#recent.key !== key || now - this.#recent.at > this.#freshMs) {
        this.#recent = { key, at: now, points: await this.#ledger.readingSeries(b, to, bucketS) };
      }
      out.push(...this.#recent.points);
    }
    return out;
  }

  #keep(key: string, points: SeriesPoint[]): void {
    this.#settled.set(key, points);
    // Oldest first out: a Map iterates in insertion order.
    while (this.#settled.size > this.#maxBuckets) this.#settled.delete(this.#settled.keys().next().value!);
  }
}

/** The registry, re-read at most once per ttlMs, and at once after the API changed a device. */
export class DeviceList {
  readonly #ledger: Ledger;
  readonly #ttlMs: number;
  #list: { at: number; devices: Promise<DeviceRecordV1[]> } | undefined;

  constructor(ledger: Ledger, options: { ttlMs?: number } = {}) {
    this.#ledger = ledger;
    this.#ttlMs = options.ttlMs ?? 10_000;
  }

  get(): Promise<DeviceRecordV1[]> {
    const now = performance.now();
    if (!this.#list || now - this.#list.at > this.#ttlMs) {
      const devices = this.#ledger.listDevices();
      this.#list = { at: now, devices };
      devices.catch(() => (this.#list = undefined));
    }
    return this.#list.devices;
  }

  invalidate(): void {
    this.#list = undefined;
  }
}
