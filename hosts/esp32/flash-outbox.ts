// A flash-backed outbox for the ESP32: a log-structured ring of erase sectors on a raw NOR partition.
// Same ideas as the desktop's append-only log (hosts/node/file-outbox.ts), shaped by NOR flash: an erase sets a whole
// sector to 0xFF, a write can only clear bits, and every sector survives a limited number of erase cycles.
// Wear: nothing is ever rewritten in place and there is no per-reading metadata block to update; a reading costs one
// record, an acknowledgement one small tombstone; erases happen only to whole sectors, one per sector filled, and the
// sectors are used round-robin so each wears at the same rate.
//
// Sector: header [magic "FPO1" u32][generation u32][dropped u32][crc32 of the 12 bytes u32][state u8], records at 20.
//   generation orders the sectors (the newest is the head); dropped is the drop count when the sector was opened;
//   state 0xFF = in use, anything else = retired (about to be erased: its contents no longer count).
// Record: [type u8][length u16][seq u64][crc32 u32][payload]; crc32 covers type, length, seq and payload.
//   Types: append (payload = message), removed (acknowledged), dropped (pushed out by capacity),
//   dropped-count (seq field = entries lost with an erased sector). All integers little-endian.
// One sector is kept erased in reserve, so the oldest sector's live entries can be copied forward before it is erased.
import { assertCapacity, type Outbox, type OutboxEntry } from '../../src/core/outbox.js';

/** The raw partition, as Moddable's flash module (`new Flash(partition)`) exposes it, wrapped to Uint8Array. */
export interface FlashDevice {
  readonly byteLength: number;
  /** Erase sector size (4096 on the ESP32). */
  readonly blockSize: number;
  read(offset: number, length: number): Uint8Array;
  /** Programs bytes: NOR can only clear bits, so the target must be erased. */
  write(offset: number, bytes: Uint8Array): void;
  /** Sets every byte of sector `sector` (an index, not an offset) to 0xFF. */
  erase(sector: number): void;
}

export interface FlashOutboxOptions {
  capacity: number;
}

const MAGIC = 0x314f5046; // "FPO1" little-endian: storage schema version 1
const SECTOR_HEADER = 20;
const STATE_AT = 16;
const RECORD_HEADER = 15; // type 1 + length 2 + seq 8 + crc 4
const APPEND = 0xa1;
const REMOVED = 0xa2;
const DROPPED = 0xa3;
const DROPPED_COUNT = 0xa4;
const RESYNC_ALIGN = 16;

interface Location {
  sector: number;
  offset: number; // of the payload
  length: number;
}

interface SectorState {
  generation: number; // 0 = not in use (erased or garbage)
  dropped: number;
  free: boolean; // every byte 0xFF
  used: number; // next write offset
}

export class FlashOutbox implements Outbox {
  readonly capacity: number;
  /** Largest message accepted: a quarter sector, so the copy-forward reserve always has room (see #reclaim). */
  readonly maxMessage: number;
  readonly #flash: FlashDevice;
  readonly #size: number;
  readonly #count: number;
  readonly #sectors: SectorState[] = [];
  readonly #reserveRoom: number;
  #live = new Map<number, Location>(); // insertion order = seq order
  #head = 0;
  #generation = 0;
  #dropped = 0;

  constructor(flash: FlashDevice, options: FlashOutboxOptions) {
    assertCapacity(options.capacity);
    const size = flash.blockSize;
    if (!Number.isInteger(size) || size < 256) throw new RangeError('flash.blockSize: an integer of at least 256');
    const count = Math.floor(flash.byteLength / size);
    if (count < 2) throw new RangeError('flash.byteLength: at least two sectors (one is kept in reserve)');
    this.capacity = options.capacity;
    this.#flash = flash;
    this.#size = size;
    this.#count = count;
    this.maxMessage = Math.min(0xffff, Math.floor(size / 4) - RECORD_HEADER);
    // Room left in the head after copying forward: one largest record (a torn copy), two small records, alignment.
    this.#reserveRoom = Math.floor(size / 4) + 2 * RECORD_HEADER + RESYNC_ALIGN;
    this.#open();
  }

  append(entry: OutboxEntry): number {
    if (!Number.isSafeInteger(entry.seq) || entry.seq < 0) throw new RangeError('entry.seq: a non-negative safe integer');
    if (!(entry.message instanceof Uint8Array) || entry.message.length === 0 || entry.message.length > this.maxMessage) {
      throw new RangeError(`entry.message: 1 to ${this.maxMessage} bytes`);
    }
    const newest = this.#newest();
    if (newest !== undefined && entry.seq <= newest) throw new RangeError(`entry.seq: ${entry.seq} is not above the newest stored (${newest})`);
    const before = this.#dropped; // moving to a new sector may drop the oldest too
    const location = this.#writeRecord(APPEND, entry.seq, entry.message);
    this.#live.set(entry.seq, location);
    this.#enforceCapacity();
    return this.#dropped - before;
  }

  peek(limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const [seq, at] of this.#live) {
      if (out.length >= limit) break;
      out.push({ seq, message: this.#read(at.sector * this.#size + at.offset, at.length) });
    }
    return out;
  }

  remove(seq: number): void {
    if (!this.#live.has(seq)) return;
    this.#writeRecord(REMOVED, seq, EMPTY);
    this.#live.delete(seq);
  }

  get depth(): number {
    return this.#live.size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  #newest(): number | undefined {
    let newest: number | undefined;
    for (const seq of this.#live.keys()) newest = seq;
    return newest;
  }

  #enforceCapacity(): void {
    for (const seq of this.#live.keys()) {
      if (this.#live.size <= this.capacity) break;
      this.#writeRecord(DROPPED, seq, EMPTY);
      this.#live.delete(seq);
      this.#dropped++;
    }
  }

  // ---- opening: rebuild the index from a scan of every sector ----

  #open(): void {
    const replay = new Map<number, Location>();
    const order: number[] = [];
    for (let s = 0; s < this.#count; s++) {
      const state = this.#readSectorHeader(s);
      this.#sectors.push(state);
      if (state.generation > 0) order.push(s);
    }
    order.sort((a, b) => this.#sectors[a]!.generation - this.#sectors[b]!.generation);
    const newest = order[order.length - 1];
    for (const s of order) {
      const counts = s === newest; // older sectors' drops are already in the newest header's count
      this.#scanSector(s, (type, seq, location) => {
        if (type === APPEND) replay.set(seq, location);
        else if (type === REMOVED) replay.delete(seq);
        else if (type === DROPPED) {
          replay.delete(seq);
          if (counts) this.#dropped++;
        } else if (type === DROPPED_COUNT && counts) this.#dropped += seq;
      });
    }
    if (newest === undefined) {
      this.#head = this.#count - 1; // so the first sector opened is sector 0
      this.#startSector(0);
    } else {
      this.#head = newest;
      this.#generation = this.#sectors[newest]!.generation;
      this.#dropped += this.#sectors[newest]!.dropped;
    }
    // A copy made just before a power cut may exist twice; seq order is the truth.
    this.#live = new Map([...replay.entries()].sort((a, b) => a[0] - b[0]));
    // Finish an advance that a power cut interrupted, then apply a (possibly smaller) capacity.
    this.#keepReserve(RECORD_HEADER + RESYNC_ALIGN);
    this.#enforceCapacity();
  }

  #readSectorHeader(s: number): SectorState {
    const base = s * this.#size;
    const head = this.#read(base, SECTOR_HEADER);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const valid = view.getUint32(0, true) === MAGIC && view.getUint32(12, true) === crc32(head.subarray(0, 12)) && head[STATE_AT] === 0xff;
    if (valid) return { generation: view.getUint32(4, true), dropped: view.getUint32(8, true), free: false, used: SECTOR_HEADER };
    return { generation: 0, dropped: 0, free: isErased(this.#read(base, this.#size)), used: SECTOR_HEADER };
  }

  /** Replays a sector's valid records and sets where the next record may go. A torn record is skipped, not trusted. */
  #scanSector(s: number, onRecord: (type: number, seq: number, location: Location) => void): void {
    const data = this.#read(s * this.#size, this.#size);
    let pos = SECTOR_HEADER;
    while (pos + RECORD_HEADER <= this.#size) {
      if (data[pos] === 0xff && isErased(data.subarray(pos))) break; // the erased tail: free space
      const record = parseRecord(data, pos);
      if (record) {
        onRecord(record.type, record.seq, { sector: s, offset: pos + RECORD_HEADER, length: record.length });
        pos = record.end;
        continue;
      }
      // A record torn by a power cut (or a stray bit). Writing resumed at the next aligned offset after the last
      // programmed byte, so look for the next valid record there; nothing between is trusted.
      pos = alignUp(pos + 1, RESYNC_ALIGN);
      while (pos + RECORD_HEADER <= this.#size && !parseRecord(data, pos) && !(data[pos] === 0xff && isErased(data.subarray(pos)))) pos += RESYNC_ALIGN;
    }
    // After damage, resume past the last programmed byte (writes cannot go over partly programmed bits).
    const last = lastProgrammed(data);
    this.#sectors[s]!.used = Math.min(this.#size, last >= pos ? alignUp(last + 1, RESYNC_ALIGN) : pos);
  }

  // ---- writing ----

  #writeRecord(type: number, seq: number, payload: Uint8Array): Location {
    const length = RECORD_HEADER + payload.length;
    if (this.#sectors[this.#head]!.used + length > this.#size) this.#advance();
    const state = this.#sectors[this.#head]!;
    const offset = state.used;
    // The record counts as written from here on: a cut mid-write leaves a torn record that the next open skips.
    state.used += length;
    this.#flash.write(this.#head * this.#size + offset, encodeRecord(type, seq, payload));
    return { sector: this.#head, offset: offset + RECORD_HEADER, length: payload.length };
  }

  /** The head is full: move to the next sector of the ring (the erased reserve), then free the one after it. */
  #advance(): void {
    const next = (this.#head + 1) % this.#count;
    if (this.#sectors[next]!.generation > 0) this.#retire(next, this.#locatedIn(next).length); // no reserve: only after odd damage
    this.#startSector(next);
    this.#keepReserve(this.#reserveRoom);
  }

  /** Opens sector `s` as the new head: erase if needed, then one header write carrying the drop count. */
  #startSector(s: number): void {
    const state = this.#sectors[s]!;
    if (!state.free) this.#erase(s);
    const header = new Uint8Array(SECTOR_HEADER).fill(0xff);
    const view = new DataView(header.buffer);
    this.#generation++;
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, this.#generation, true);
    view.setUint32(8, this.#dropped, true);
    view.setUint32(12, crc32(header.subarray(0, 12)), true);
    state.free = false;
    state.generation = this.#generation;
    state.dropped = this.#dropped;
    state.used = SECTOR_HEADER;
    this.#head = s;
    this.#flash.write(s * this.#size, header);
  }

  /** Keeps the sector after the head erased. Its live entries are the oldest: copy forward what fits, drop the rest. */
  #keepReserve(room: number): void {
    const victim = (this.#head + 1) % this.#count;
    const state = this.#sectors[victim]!;
    if (victim === this.#head || state.free) return;
    if (state.generation === 0) {
      this.#erase(victim); // garbage: a torn header or an interrupted erase
      return;
    }
    const located = this.#locatedIn(victim);
    // Newest entries are worth most (drop-oldest policy): keep the longest newest suffix that fits.
    let budget = this.#size - this.#sectors[this.#head]!.used - room;
    let keepFrom = located.length;
    while (keepFrom > 0 && budget >= RECORD_HEADER + located[keepFrom - 1]![1].length) {
      budget -= RECORD_HEADER + located[keepFrom - 1]![1].length;
      keepFrom--;
    }
    for (const [seq, at] of located.slice(keepFrom)) {
      const message = this.#read(at.sector * this.#size + at.offset, at.length);
      this.#live.set(seq, this.#writeRecord(APPEND, seq, message)); // Map.set keeps the entry's place in seq order
    }
    this.#retire(victim, keepFrom);
  }

  /** Retires then erases sector `s`; `lost` of its live entries go with it. */
  #retire(s: number, lost: number): void {
    // One byte cleared marks the sector dead before the erase starts, so an interrupted erase (which may leave any
    // mix of old and erased bytes) cannot bring back entries that were removed or copied.
    this.#flash.write(s * this.#size + STATE_AT, new Uint8Array([0x00]));
    this.#sectors[s]!.generation = 0;
    for (const [seq] of this.#locatedIn(s)) this.#live.delete(seq);
    if (lost > 0) {
      this.#dropped += lost;
      // If power fails before this record, the count (not the data) undercounts by this batch.
      this.#writeRecord(DROPPED_COUNT, lost, EMPTY);
    }
    this.#erase(s);
  }

  #erase(s: number): void {
    const state = this.#sectors[s]!;
    state.generation = 0;
    state.free = false; // until the erase completes
    this.#flash.erase(s);
    state.free = true;
    state.used = SECTOR_HEADER;
  }

  #locatedIn(s: number): [number, Location][] {
    return [...this.#live.entries()].filter(([, at]) => at.sector === s);
  }

  #read(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.#flash.read(offset, length)); // a copy: the device may reuse its buffer
  }
}

const EMPTY = new Uint8Array(0);

function encodeRecord(type: number, seq: number, payload: Uint8Array): Uint8Array {
  const record = new Uint8Array(RECORD_HEADER + payload.length);
  const view = new DataView(record.buffer);
  view.setUint8(0, type);
  view.setUint16(1, payload.length, true);
  view.setUint32(3, seq % 0x100000000, true);
  view.setUint32(7, Math.floor(seq / 0x100000000), true);
  record.set(payload, RECORD_HEADER);
  view.setUint32(11, crc32(record.subarray(RECORD_HEADER), crc32(record.subarray(0, 11))), true);
  return record;
}

function parseRecord(data: Uint8Array, pos: number): { type: number; seq: number; length: number; end: number } | undefined {
  if (pos + RECORD_HEADER > data.length) return undefined;
  const type = data[pos]!;
  if (type < APPEND || type > DROPPED_COUNT) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const length = view.getUint16(pos + 1, true);
  const end = pos + RECORD_HEADER + length;
  if (end > data.length) return undefined;
  const seq = view.getUint32(pos + 3, true) + view.getUint32(pos + 7, true) * 0x100000000;
  if (!Number.isSafeInteger(seq)) return undefined;
  const crc = crc32(data.subarray(pos + RECORD_HEADER, end), crc32(data.subarray(pos, pos + 11)));
  if (crc !== view.getUint32(pos + 11, true)) return undefined;
  return { type, seq, length, end };
}

function isErased(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

function lastProgrammed(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] !== 0xff) return i;
  return -1;
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

// CRC-32 (IEEE 802.3, reflected 0xEDB88320), the same checksum as the desktop log; table built once.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
