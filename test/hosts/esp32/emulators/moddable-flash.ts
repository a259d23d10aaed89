// Moddable's Flash class as the device exposes it (modules/files/flash/flash.js): read() returns a fresh
// ArrayBuffer, write(offset, byteLength, buffer) takes the whole buffer, over an emulated NOR partition.
import type { ModdableFlash } from '../../../../hosts/esp32/flash-partition.js';
import { NorFlash } from './nor-flash.js';

export class ModdableFlashEmulator implements ModdableFlash {
  readonly nor: NorFlash;
  readonly writes: Array<{ offset: number; byteLength: number; bufferBytes: number }> = [];
  constructor(nor: NorFlash) {
    this.nor = nor;
  }
  get byteLength() {
    return this.nor.byteLength;
  }
  get blockSize() {
    return this.nor.blockSize;
  }
  read(offset: number, byteLength: number): ArrayBuffer {
    return this.nor.read(offset, byteLength).buffer as ArrayBuffer;
  }
  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, 0, buffer.buffer.byteLength);
    if (bytes.length < byteLength) throw new RangeError('buffer smaller than byteLength');
    this.writes.push({ offset, byteLength, bufferBytes: bytes.length });
    this.nor.write(offset, bytes.subarray(0, byteLength));
  }
  erase(sector: number): void {
    this.nor.erase(sector);
  }
}
