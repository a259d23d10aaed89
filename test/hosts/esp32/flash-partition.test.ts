import test from 'ava';
import { FlashOutbox } from '../../../hosts/esp32/flash-outbox.js';
import { flashDevice, type ModdableFlash } from '../../../hosts/esp32/flash-partition.js';
import { ModdableFlashEmulator } from './emulators/moddable-flash.js';
import { NorFlash } from './emulators/nor-flash.js';

test('the outbox runs on the Moddable Flash shape through the adapter and survives a reopen', (t) => {
  const flash = new ModdableFlashEmulator(new NorFlash(4));
  const outbox = new FlashOutbox(flashDevice(flash), { capacity: 100 });
  for (let seq = 0; seq < 40; seq++) outbox.append({ seq, message: Uint8Array.from({ length: 90 }, (_, i) => (seq + i) & 0xff) });
  outbox.remove(0);
  const again = new FlashOutbox(flashDevice(flash), { capacity: 100 });
  t.is(again.depth, 39);
  t.deepEqual(again.peek(1)[0]!.message, Uint8Array.from({ length: 90 }, (_, i) => (1 + i) & 0xff));
});

test('a write of a view into a larger buffer hands the native write exactly the view', (t) => {
  const flash = new ModdableFlashEmulator(new NorFlash(3));
  const device = flashDevice(flash);
  const big = Uint8Array.from({ length: 64 }, (_, i) => i);
  device.write(100, big.subarray(10, 14));
  t.deepEqual(device.read(100, 4), Uint8Array.of(10, 11, 12, 13));
  t.deepEqual(flash.writes.at(-1), { offset: 100, byteLength: 4, bufferBytes: 4 });
});

test('reads, writes and erases outside the partition are refused before they reach the flash', (t) => {
  const flash = new ModdableFlashEmulator(new NorFlash(3));
  const device = flashDevice(flash, 'fpoutbox');
  t.throws(() => device.write(3 * 4096 - 2, new Uint8Array(4)), { instanceOf: RangeError, message: /fpoutbox: write of 4 bytes at 12286 is outside/ });
  t.throws(() => device.read(-1, 4), { instanceOf: RangeError, message: /outside/ });
  t.throws(() => device.erase(3), { instanceOf: RangeError, message: /sector 3 is outside 0..2/ });
  t.is(flash.writes.length, 0);
});

test('partition geometry is checked once: whole sectors, at least three', (t) => {
  const fake = (byteLength: number, blockSize = 4096): ModdableFlash => ({ byteLength, blockSize, read: () => new ArrayBuffer(0), write: () => {}, erase: () => {} });
  t.throws(() => flashDevice(fake(2 * 4096)), { instanceOf: RangeError, message: /2 sector\(s\); the outbox needs at least 3/ });
  t.throws(() => flashDevice(fake(3 * 4096 + 100)), { instanceOf: RangeError, message: /whole number of 4096-byte sectors/ });
  t.throws(() => flashDevice(fake(3 * 4096, 3000)), { instanceOf: RangeError, message: /power of two/ });
  t.notThrows(() => flashDevice(fake(16 * 4096)));
});
