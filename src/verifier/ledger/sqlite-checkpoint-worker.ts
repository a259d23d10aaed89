// The SQLite ledger's checkpointer thread (started by sqlite-writer.ts). In WAL mode a checkpoint copies the
// pages written to the WAL back into the database file and, with synchronous=NORMAL, is the only place SQLite
// fsyncs. Left to autocheckpoint (every 1,000 pages) it ran inside the writer's commit: two fsyncs every ~130
// verdicts, which made the insert wait about as long as it computed (npm run bench). Here it runs on its own
// connection and thread, so the writer only appends to the WAL:
//   - every PASS_MS, a PASSIVE checkpoint copies what is in the WAL without blocking the writer (fsync here);
//     a page written many times between passes is copied once;
//   - a PASSIVE checkpoint never lets the WAL start over while the writer keeps appending, so once it holds
//     RESTART_FRAMES and a pass has left little behind, a RESTART checkpoint waits for the writer to finish its
//     batch (busy_timeout), copies the little that is left and lets the next batch start the WAL from the
//     beginning. (Restarting whenever the WAL was full made the writer wait ~400 ms at times, in bench.)
// The WAL is fsynced at least every PASS_MS, so a power loss (never a process crash) loses at most that much of
// the latest commits, as with autocheckpoint. If this thread stops, the writer's own autocheckpoint (set high, as
// a backstop) keeps the WAL from growing without bound.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { applyConnectionPragmas } from './sqlite-pragmas.js';
import type { CheckpointerStart } from './sqlite-writer.js';

const PASS_MS = 100;
const RESTART_FRAMES = 16_384; // 64 MiB of 4 KiB pages
const RESTART_BEHIND_FRAMES = 512;
const FORCE_RESTART_FRAMES = 2 * RESTART_FRAMES; // below the writer's backstop (sqlite-writer.ts)
const RESTART_WAIT_MS = 200;

const port = parentPort!;
const { path, busyTimeoutMs } = workerData as CheckpointerStart;
const db = new Database(path, { fileMustExist: true });
// A RESTART checkpoint holds new writers back while it waits for the writer and for readers on older snapshots
// (a long query): it waits at most this long, then gives up until the next pass, so ingest never stalls for long.
applyConnectionPragmas(db, Math.min(busyTimeoutMs, RESTART_WAIT_MS));
db.pragma('wal_autocheckpoint = 0');

let stopping = false;
let timer: NodeJS.Timeout | undefined;
port.on('message', (message: 'stop') => {
  if (message !== 'stop') return;
  stopping = true;
  if (timer) clearTimeout(timer);
  db.close();
  port.close();
});

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

function pass(): void {
  if (stopping) return;
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
    // RESTART when the pass left little to copy, so the writer waits for little more than an fsync; past
    // FORCE_RESTART_FRAMES (a writer that never lets a pass catch up) whatever is left.
    const behind = passive ? passive.log - passive.checkpointed : 0;
    if (passive && ((passive.log >= RESTART_FRAMES && behind <= RESTART_BEHIND_FRAMES) || passive.log >= FORCE_RESTART_FRAMES)) {
      db.pragma('wal_checkpoint(RESTART)');
    }
  } catch {
    // SQLITE_BUSY past busy_timeout, or the file went away: the next pass tries again, and the writer's
    // autocheckpoint backstop holds the WAL in the meantime.
  }
  timer = setTimeout(pass, PASS_MS);
}
pass();
