// A file-backed outbox: an append-only log that survives kill -9 and power loss.
// Every change is one record, written and fsynced before append() returns, so a reading the node stored is on
// disk before it is published. A crash can only tear the record being written (the tail): on open, a tail
// whose length or CRC-32 does not check out is cut off; damage anywhere else is refused, never "repaired".
// The log is compacted (rewritten to a temp file, fsynced, renamed) when dead records outnumber live ones.
//
// File: "FPOUTBX1" then records  [type u8][seq u64 BE][length u32 BE][crc32 u32 BE][payload]
// crc32 covers type, seq, length and payload. Types: 1 append, 2 removed (acknowledged), 3 dropped (full),
// 4 dropped-count carried over by compaction (seq field holds the count).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { dirname } from 'node:path';
import { FieldproofError } from '../../src/core/errors.js';
import { assertCapacity, type Outbox, type OutboxEntry } from '../../src/core/outbox.js';
import { fsyncDir } from './file-storage.js';

const MAGIC = Buffer.from('FPOUTBX1', 'ascii');
const HEADER = 17; // type 1 + seq 8 + length 4 + crc 4
const APPEND = 1;
const REMOVED = 2;
const DROPPED = 3;
const DROPPED_CARRY = 4;
const MAX_MESSAGE = 64 * 1024;

export interface FileOutboxOptions {
  capacity: number;
  /** fsync after every record (default true). Off only for throwaway simulations. */
  sync?: boolean;
}

export class FileOutbox implements Outbox {
  readonly path: string;
  readonly capacity: number;
  readonly #sync: boolean;
  #fd: number;
  #live = new Map<number, Uint8Array>(); // insertion order = seq order
  #dead = 0;
  #dropped = 0;
  #closed = false;
  readonly #lockPath: string;

  constructor(path: string, options: FileOutboxOptions) {
    assertCapacity(options.capacity);
    this.path = path;
    this.capacity = options.capacity;
    this.#sync = options.sync ?? true;
    this.#lockPath = `${path}.lock`;
    takeLock(this.#lockPath);
    try {
      this.#load();
      this.#fd = openSync(path, 'a');
    } catch (error) {
      releaseLock(this.#lockPath);
      throw error;
    }
    // A reopened outbox may hold more than a smaller new capacity allows: apply the policy now.
    if (this.#live.size > this.capacity) this.#dropOldest(this.#live.size - this.capacity);
  }

  #load(): void {
    if (!existsSync(this.path)) {
      writeFileSync(this.path, MAGIC, { mode: 0o600 });
      fsyncDir(dirname(this.path));
      return;
    }
    const data = readFileSync(this.path);
    if (data.length < MAGIC.length || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
      if (data.length < MAGIC.length && MAGIC.subarray(0, data.length).equals(data)) {
        writeFileSync(this.path, MAGIC); // torn while being created
        return;
      }
      throw new FieldproofError('FP_E_OUTBOX_CORRUPT', `${this.path} is not a fieldproof outbox (bad header); it was left untouched`);
    }
    let pos = MAGIC.length;
    while (pos < data.length) {
      const record = parseRecord(data, pos);
      if (!record) {
        // Only a torn tail is acceptable: nothing valid may follow the damage.
        if (hasValidRecordAfter(data, pos + 1)) {
          throw new FieldproofError('FP_E_OUTBOX_CORRUPT', `${this.path} is damaged at byte ${pos} with intact records after it; it was left untouched for recovery`);
        }
        const fd = openSync(this.path, 'r+');
        try {
          ftruncateSync(fd, pos);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        break;
      }
      this.#apply(record.type, record.seq, record.payload);
      pos = record.end;
    }
  }

  #apply(type: number, seq: number, payload: Uint8Array): void {
    if (type === APPEND) this.#live.set(seq, payload);
    else if (type === REMOVED) {
      this.#live.delete(seq);
      this.#dead += 2;
    } else if (type === DROPPED) {
      this.#live.delete(seq);
      this.#dropped++;
      this.#dead += 2;
    } else if (type === DROPPED_CARRY) this.#dropped += seq;
  }

  append(entry: OutboxEntry): number {
    this.#assertOpen();
    if (!Number.isSafeInteger(entry.seq) || entry.seq < 0) throw new RangeError('entry.seq: a non-negative safe integer');
    if (!(entry.message instanceof Uint8Array) || entry.message.length === 0 || entry.message.length > MAX_MESSAGE) {
      throw new RangeError(`entry.message: 1 to ${MAX_MESSAGE} bytes`);
    }
    let newest = -1;
    for (const seq of this.#live.keys()) newest = seq; // Map keeps insertion order; last is newest
    if (this.#live.size > 0 && entry.seq <= newest) throw new RangeError(`entry.seq: ${entry.seq} is not above the newest stored (${newest})`);
    this.#write(encodeRecord(APPEND, entry.seq, entry.message));
    this.#live.set(entry.seq, entry.message.slice());
    const over = this.#live.size - this.capacity;
    const dropped = over > 0 ? this.#dropOldest(over) : 0;
    this.#maybeCompact();
    return dropped;
  }

  #dropOldest(count: number): number {
    let dropped = 0;
    for (const seq of this.#live.keys()) {
      if (dropped === count) break;
      this.#write(encodeRecord(DROPPED, seq, new Uint8Array(0)));
      this.#live.delete(seq);
      this.#dropped++;
      this.#dead += 2;
      dropped++;
    }
    return dropped;
  }

  peek(limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const [seq, message] of this.#live) {
      if (out.length >= limit) break;
      out.push({ seq, message });
    }
    return out;
  }

  remove(seq: number): void {
    this.#assertOpen();
    if (!this.#live.has(seq)) return;
    this.#write(encodeRecord(REMOVED, seq, new Uint8Array(0)));
    this.#live.delete(seq);
    this.#dead += 2;
    this.#maybeCompact();
  }

  get depth(): number {
    return this.#live.size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
    releaseLock(this.#lockPath);
  }

  #write(record: Buffer): void {
    writeSync(this.#fd, record);
    if (this.#sync) fsyncSync(this.#fd);
  }

  #maybeCompact(): void {
    if (this.#dead < 256 || this.#dead < this.#live.size * 2) return;
    const parts: Buffer[] = [MAGIC];
    if (this.#dropped > 0) parts.push(encodeRecord(DROPPED_CARRY, this.#dropped, new Uint8Array(0)));
    for (const [seq, message] of this.#live) parts.push(encodeRecord(APPEND, seq, message));
    const tmp = `${this.path}.compact`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, Buffer.concat(parts));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    closeSync(this.#fd);
    renameSync(tmp, this.path); // atomic: readers see the old log or the compacted one
    fsyncDir(dirname(this.path));
    this.#fd = openSync(this.path, 'a');
    this.#dead = 0;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('outbox is closed');
  }
}

function encodeRecord(type: number, seq: number, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER + payload.length);
  record.writeUInt8(type, 0);
  record.writeBigUInt64BE(BigInt(seq), 1);
  record.writeUInt32BE(payload.length, 9);
  record.set(payload, HEADER);
  record.writeUInt32BE(0, 13);
  const crc = crc32(record.subarray(HEADER), crc32(record.subarray(0, 13)));
  record.writeUInt32BE(crc, 13);
  return record;
}

function parseRecord(data: Buffer, pos: number): { type: number; seq: number; payload: Uint8Array; end: number } | undefined {
  if (pos + HEADER > data.length) return undefined;
  const type = data.readUInt8(pos);
  if (type < APPEND || type > DROPPED_CARRY) return undefined;
  const seqBig = data.readBigUInt64BE(pos + 1);
  const length = data.readUInt32BE(pos + 9);
  if (seqBig > BigInt(Number.MAX_SAFE_INTEGER) || length > MAX_MESSAGE || pos + HEADER + length > data.length) return undefined;
  const payload = data.subarray(pos + HEADER, pos + HEADER + length);
  const crc = crc32(payload, crc32(data.subarray(pos, pos + 13)));
  if (crc !== data.readUInt32BE(pos + 13)) return undefined;
  return { type, seq: Number(seqBig), payload: new Uint8Array(payload), end: pos + HEADER + length };
}

function hasValidRecordAfter(data: Buffer, from: number): boolean {
  for (let p = from; p + HEADER <= data.length; p++) if (parseRecord(data, p)) return true;
  return false;
}

function takeLock(lockPath: string): void {
  try {
    writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(readFileSync(lockPath, 'utf8'));
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
    throw new FieldproofError('FP_E_OUTBOX_LOCKED', `${lockPath} is held by running process ${holder}; one node per data directory`);
  }
  writeFileSync(lockPath, String(process.pid), { mode: 0o600 }); // stale lock from a killed process
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}
