// Moddable's Flash class (modules/files/flash/flash.js: `new Flash(partition)`, read(offset, byteLength) ->
// ArrayBuffer, write(offset, byteLength, buffer), erase(sector), byteLength, blockSize; offsets and sectors are
// relative to the partition) adapted to the FlashDevice the outbox uses (hosts/esp32/flash-outbox.ts).
// The adapter checks geometry once (the partition must be whole 4 KiB sectors, at least three) and every access
// against the partition's bounds: an out-of-range write would otherwise land in whatever follows it in flash.
import type { FlashDevice } from './flash-outbox.js';

/** What `new Flash(name)` returns, as declared in hosts/esp32/device/moddable.d.ts. */
export interface ModdableFlash {
  readonly byteLength: number;
  readonly blockSize: number;
  read(offset: number, byteLength: number): ArrayBuffer;
  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void;
  erase(sector: number): void;
}

/** ESP32 SPI NOR flash erase sector (ESP-IDF "SPI Flash API": 4 KB sectors). */
export const ESP32_SECTOR_BYTES = 4096;
/** The outbox keeps one sector in reserve; fewer than three leaves one sector of readings. */
export const MIN_OUTBOX_SECTORS = 3;

export function flashDevice(flash: ModdableFlash, name = 'partition'): FlashDevice {
  const { byteLength, blockSize } = flash;
  if (!Number.isInteger(blockSize) || blockSize < 256 || (blockSize & (blockSize - 1)) !== 0) {
    throw new RangeError(`${name}: blockSize ${blockSize} is not a power of two of at least 256`);
  }
  if (!Number.isInteger(byteLength) || byteLength % blockSize !== 0) {
    throw new RangeError(`${name}: size ${byteLength} is not a whole number of ${blockSize}-byte sectors (check partitions.csv)`);
  }
  if (byteLength / blockSize < MIN_OUTBOX_SECTORS) {
    throw new RangeError(`${name}: ${byteLength / blockSize} sector(s); the outbox needs at least ${MIN_OUTBOX_SECTORS}`);
  }
  const sectors = byteLength / blockSize;
  const check = (offset: number, length: number, what: string) => {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > byteLength) {
      throw new RangeError(`${name}: ${what} of ${length} bytes at ${offset} is outside the partition (${byteLength} bytes)`);
    }
  };
  return {
    byteLength,
    blockSize,
    read(offset, length) {
      check(offset, length, 'read');
      return new Uint8Array(flash.read(offset, length));
    },
    write(offset, bytes) {
      check(offset, bytes.length, 'write');
      if (bytes.length === 0) return;
      // The native write takes an ArrayBuffer (flash/esp32/flash.c: xsmcToArrayBuffer) from its start, so a view on
      // part of a larger buffer is copied first.
      const plain = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      flash.write(offset, plain.length, plain.buffer as ArrayBuffer);
    },
    erase(sector) {
      if (!Number.isInteger(sector) || sector < 0 || sector >= sectors) throw new RangeError(`${name}: sector ${sector} is outside 0..${sectors - 1}`);
      flash.erase(sector);
    },
  };
}
