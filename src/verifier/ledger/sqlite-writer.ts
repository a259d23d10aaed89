// The SQLite ledger's writer thread, main-thread side, and its checkpointer thread (sqlite-checkpoint-worker.ts).
// recordVerdict batches (record-batch.ts) are recorded on a worker thread with its own connection to the ledger
// file (sqlite-writer-worker.ts), so the durable insert (~115-170 us of CPU per verdict in npm run bench, most of
// it writing index pages to the WAL) runs beside the event loop while it decodes and verifies the next readings.
// (With a second core the pipeline bench gained little: the insert is bound by its writes.) Everything else
// (registry, queries, settlements) stays on the ledger's own connection: WAL lets it read while the writer writes,
// and its rare writes wait for the writer's lock (busy_timeout), which a batch holds for a few milliseconds.
// A caller's promise still resolves only after its batch has committed, so an acknowledgement to the broker
// still means "stored". If the thread dies, every batch in it fails with FP_E_LEDGER_UNAVAILABLE and so does
// every later one: the readings stay unacknowledged and the broker delivers them again after a restart.
import { Worker } from 'node:worker_threads';
import { FieldproofError } from '../../core/errors.js';
import type { RecordItem, RecordOutcome } from './record-batch.js';
import type { VerdictV1 } from '../types.js';

export interface WriterStart {
  path: string;
  busyTimeoutMs: number;
}

export type CheckpointerStart = WriterStart;

/**
 * The writer's own autocheckpoint, a backstop only: the checkpointer thread (sqlite-checkpoint-worker.ts) restarts
 * the WAL at 16,384 pages; should it stop, the writer checkpoints itself at this size (256 MiB of 4 KiB pages).
 */
export const WRITER_AUTOCHECKPOINT_FRAMES = 65_536;

export type WriterRequest = { kind: 'record'; id: number; items: RecordItem[] } | { kind: 'close' };

type WireError = { name: string; message: string; code?: string };
type WireOutcome = { ok: true; stored: 'new' } | { ok: true; stored: 'new' | 'duplicate'; verdict: VerdictV1 } | { ok: false; error: WireError };

export type WriterReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: WireError }
  | { kind: 'recorded'; id: number; outcomes: WireOutcome[] }
  | { kind: 'closed' };

interface InFlight {
  items: RecordItem[];
  resolve: (outcomes: RecordOutcome[]) => void;
}

export class SqliteWriter {
  readonly #path: string;
  readonly #worker: Worker;
  readonly #checkpointer: Worker;
  readonly #inFlight = new Map<number, InFlight>();
  #next = 0;
  #stopped: Error | undefined;
  #closing: Promise<void> | undefined;

  private constructor(path: string, worker: Worker, checkpointer: Worker) {
    this.#path = path;
    this.#worker = worker;
    this.#checkpointer = checkpointer;
    // Best effort: if it fails, the writer's autocheckpoint backstop holds the WAL.
    checkpointer.on('error', () => {});
    checkpointer.unref();
    worker.on('message', (reply: WriterReply) => {
      if (reply.kind === 'recorded') this.#recorded(reply.id, reply.outcomes);
    });
    worker.on('error', (error) => this.#stop(error));
    worker.on('exit', (code) => this.#stop(new Error(`the thread exited with code ${code}`)));
    worker.unref(); // an idle writer never keeps the process alive; a batch in flight does (see record)
  }

  /** The worker thread's id (the main thread's is 0). */
  get threadId(): number {
    return this.#worker.threadId;
  }

  /** Start the thread on a ledger file the caller has opened and migrated; resolves once its connection is open. */
  static async start(options: WriterStart): Promise<SqliteWriter> {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./sqlite-writer-worker.js', import.meta.url), { workerData: options, execArgv: WORKER_EXEC_ARGV });
    } catch (error) {
      throw new FieldproofError('FP_E_LEDGER_UNAVAILABLE', `cannot start the writer thread of the SQLite ledger ${options.path}: ${(error as Error).message}`, { cause: error });
    }
    const first = await new Promise<WriterReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the thread exited with code ${code} before opening the file`)));
    }).catch((error: unknown) => ({ kind: 'failed', error: { name: 'Error', message: (error as Error).message } }) as WriterReply);
    if (first.kind !== 'ready') {
      await worker.terminate();
      const detail = first.kind === 'failed' ? first.error.message : `unexpected ${first.kind}`;
      throw new FieldproofError('FP_E_LEDGER_UNAVAILABLE', `cannot start the writer thread of the SQLite ledger ${options.path}: ${detail}`);
    }
    let checkpointer: Worker;
    try {
      checkpointer = new Worker(new URL('./sqlite-checkpoint-worker.js', import.meta.url), { workerData: options satisfies CheckpointerStart, execArgv: WORKER_EXEC_ARGV });
    } catch (error) {
      await worker.terminate();
      throw new FieldproofError('FP_E_LEDGER_UNAVAILABLE', `cannot start the checkpointer thread of the SQLite ledger ${options.path}: ${(error as Error).message}`, { cause: error });
    }
    return new SqliteWriter(options.path, worker, checkpointer);
  }

  /** Record a batch on the thread: one outcome per item, in order, after its transaction committed (or failed). */
  record(items: RecordItem[]): Promise<RecordOutcome[]> {
    if (this.#stopped) return Promise.resolve(items.map(() => ({ ok: false, error: this.#stopped })));
    const id = this.#next++;
    // Only the verdict and the reading cross (the batcher's items carry its callbacks too). A message that views
    // a larger buffer (an MQTT packet) would be copied whole, so it is copied down to its own bytes first.
    const wire: RecordItem[] = items.map(({ verdict, reading }) => ({
      verdict,
      reading: reading && reading.message.byteLength !== reading.message.buffer.byteLength ? { ...reading, message: reading.message.slice() } : reading,
    }));
    return new Promise<RecordOutcome[]>((resolve) => {
      try {
        this.#worker.postMessage({ kind: 'record', id, items: wire } satisfies WriterRequest);
      } catch (error) {
        resolve(items.map(() => ({ ok: false, error }))); // a value that cannot be copied to the thread
        return;
      }
      if (this.#inFlight.size === 0) this.#worker.ref();
      this.#inFlight.set(id, { items, resolve });
    });
  }

  /** Stop the thread after the batches in flight (call once nothing more is handed over). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const checkpointerExit = new Promise<void>((resolve) => this.#checkpointer.once('exit', () => resolve()));
      this.#checkpointer.ref(); // keep the process alive until both threads are gone
      this.#checkpointer.postMessage('stop');
      if (!this.#stopped) {
        const closed = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
        this.#worker.ref();
        this.#worker.postMessage({ kind: 'close' } satisfies WriterRequest);
        await closed;
      }
      await checkpointerExit;
    })();
    return this.#closing;
  }

  #recorded(id: number, outcomes: WireOutcome[]): void {
    const batch = this.#inFlight.get(id);
    if (!batch) return;
    this.#inFlight.delete(id);
    if (this.#inFlight.size === 0) this.#worker.unref();
    batch.resolve(
      outcomes.map((o, i): RecordOutcome => {
        if (!o.ok) return { ok: false, error: fromWire(o.error) };
        if ('verdict' in o) return { ok: true, result: { stored: o.stored, verdict: o.verdict } };
        return { ok: true, result: { stored: 'new', verdict: { ...batch.items[i]!.verdict } } };
      }),
    );
  }

  #stop(cause: unknown): void {
    if (this.#stopped) return;
    const closing = this.#closing !== undefined;
    this.#stopped = new FieldproofError('FP_E_LEDGER_UNAVAILABLE', `the writer thread of the SQLite ledger ${this.#path} stopped${closing ? ' (closed)' : `: ${(cause as Error)?.message ?? cause}`}`, { cause });
    for (const [, batch] of this.#inFlight) batch.resolve(batch.items.map(() => ({ ok: false, error: this.#stopped })));
    this.#inFlight.clear();
  }
}

/**
 * Node flags for the ledger's threads: none. A worker refuses per-process flags (--max-old-space-size,
 * --input-type, ...) that the verifier itself may well be started with, and these threads need none.
 */
const WORKER_EXEC_ARGV: string[] = [];

function fromWire(e: WireError): Error {
  const error = e.name === 'TypeError' ? new TypeError(e.message) : e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  if (e.name !== error.name) error.name = e.name;
  if (e.code) (error as Error & { code?: string }).code = e.code;
  return error;
}
