// The SQLite ledger's writer thread (src/verifier/ledger/sqlite-writer.ts). The ledger contract runs every file
// ledger through it (it is on by default for files); these tests check what the contract cannot see.
import test from 'ava';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { SqliteLedger } from '../../../src/verifier/ledger/sqlite-ledger.js';
import { SqliteWriter } from '../../../src/verifier/ledger/sqlite-writer.js';
import { delivery, device } from './ledger-fixtures.js';

async function ledgerFile(t: import('ava').ExecutionContext): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fp-writer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ledger.sqlite');
  const ledger = new SqliteLedger(path, { writerThread: false }); // creates and migrates the file
  await ledger.open();
  await ledger.putDevice(device(1));
  await ledger.close();
  return path;
}

test('a batch is recorded on another thread and committed before its outcomes arrive', async (t) => {
  const path = await ledgerFile(t);
  const writer = await SqliteWriter.start({ path, busyTimeoutMs: 1000 });
  t.teardown(() => writer.close());
  t.not(writer.threadId, threadId);
  const items = [1, 2, 3].map((seq) => delivery({ seq }));
  const outcomes = await writer.record(items.map((d) => ({ verdict: d.verdict, reading: d.reading })));
  t.deepEqual(outcomes.map((o) => o.ok && o.result.stored), ['new', 'new', 'new']);
  // committed: another connection sees every row
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.is((db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n, 3);
  t.is((db.prepare('SELECT COUNT(*) AS n FROM verdicts').get() as { n: number }).n, 3);
});

test('a batch handed to a stopped writer fails with FP_E_LEDGER_UNAVAILABLE instead of waiting', async (t) => {
  const path = await ledgerFile(t);
  const writer = await SqliteWriter.start({ path, busyTimeoutMs: 1000 });
  await writer.close();
  const d = delivery({ seq: 1 });
  const [outcome] = await writer.record([{ verdict: d.verdict, reading: d.reading }]);
  t.false(outcome!.ok);
  if (!outcome!.ok) t.is((outcome.error as { code?: string }).code, 'FP_E_LEDGER_UNAVAILABLE');
});

test('a writer for a file that does not exist fails to start with FP_E_LEDGER_UNAVAILABLE naming it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-writer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'missing.sqlite');
  await t.throwsAsync(SqliteWriter.start({ path, busyTimeoutMs: 1000 }), { code: 'FP_E_LEDGER_UNAVAILABLE', message: /missing\.sqlite/ });
});

test("a writer thread for ':memory:' is refused: another connection cannot see that database", (t) => {
  t.throws(() => new SqliteLedger(':memory:', { writerThread: true }), { instanceOf: RangeError, message: /writerThread/ });
});

test('close() waits for the batches in flight on the thread: every recordVerdict made before it is stored', async (t) => {
  const path = await ledgerFile(t);
  const ledger = new SqliteLedger(path);
  await ledger.open();
  const calls = Array.from({ length: 200 }, (_, i) => delivery({ seq: i + 1 })).map((d) => ledger.recordVerdict(d.verdict, d.reading));
  await ledger.close();
  t.true((await Promise.all(calls)).every((r) => r.stored === 'new'));
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.is((db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n, 200);
});

test("the checkpointer thread copies committed verdicts into the database file, with no commit running a checkpoint", async (t) => {
  const path = await ledgerFile(t);
  const ledger = new SqliteLedger(path);
  await ledger.open();
  t.teardown(() => ledger.close());
  await Promise.all(Array.from({ length: 50 }, (_, i) => delivery({ seq: i + 1 })).map((d) => ledger.recordVerdict(d.verdict, d.reading)));
  // The database file alone (a copy without its WAL) holds the rows only once a checkpoint has copied them; no
  // connection of the ledger checkpoints on commit (the writer's backstop is far above 50 verdicts).
  const copy = `${path}.copy`;
  const rowsInFile = () => {
    copyFileSync(path, copy);
    const db = new Database(copy, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const deadline = Date.now() + 5000;
  let rows = rowsInFile();
  while (rows < 50 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    rows = rowsInFile();
  }
  t.is(rows, 50);
});

test('a file ledger opens in a process started with flags a worker refuses (--max-old-space-size, --input-type)', async (t) => {
  const path = await ledgerFile(t);
  const ledgerModule = new URL('../../../src/verifier/ledger/sqlite-ledger.js', import.meta.url).href;
  const script = `import { SqliteLedger } from ${JSON.stringify(ledgerModule)};
    const ledger = new SqliteLedger(${JSON.stringify(path)}); await ledger.open(); await ledger.close(); console.log('opened');`;
  const out = execFileSync(process.execPath, ['--max-old-space-size=512', '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.is(out.trim(), 'opened');
});
