import test from 'ava';
import { sensirionCrc8 } from '../../../../hosts/esp32/drivers/sensirion-crc8.js';
import { wordCrc } from '../emulators/sht4x-chip.js';

test('matches the datasheet example CRC(0xBEEF) = 0x92', (t) => {
  t.is(sensirionCrc8(Uint8Array.of(0xbe, 0xef)), 0x92);
});

test('checks a word inside a frame by offset and length', (t) => {
  const frame = Uint8Array.of(0x00, 0xbe, 0xef, 0x92, 0x00);
  t.is(sensirionCrc8(frame, 1, 2), frame[3]);
});

test('agrees with a separately written table-driven CRC on every 16-bit word', (t) => {
  const word = new Uint8Array(2);
  let mismatches = 0;
  for (let w = 0; w <= 0xffff; w++) {
    word[0] = w >> 8;
    word[1] = w & 0xff;
    if (sensirionCrc8(word) !== wordCrc(w)) mismatches++;
  }
  t.is(mismatches, 0);
});

test('refuses an offset or length outside the bytes with a RangeError naming it', (t) => {
  t.throws(() => sensirionCrc8(Uint8Array.of(1, 2), 3), { instanceOf: RangeError, message: /offset/ });
  t.throws(() => sensirionCrc8(Uint8Array.of(1, 2), 1, 2), { instanceOf: RangeError, message: /length/ });
  t.throws(() => sensirionCrc8([0xbe, 0xef] as unknown as Uint8Array), { instanceOf: TypeError, message: /bytes/ });
});
