// Sensirion CRC-8 over the 16-bit data words of SHT4x and SCD4x I2C frames: every 2-byte word the sensor sends
// (or receives as a command argument) is followed by this checksum of those two bytes.
// SHT4x and SCD4x datasheets, "Checksum Calculation" (table of CRC properties): width 8, polynomial 0x31
// (x^8 + x^5 + x^4 + 1), initialization 0xFF, no input or output reflection, final XOR 0x00,
// worked example CRC(0xBEEF) = 0x92. The same CRC is used by Moddable's sht3x/shtc3 drivers (`new CRC8(0x31, 0xff)`).
// Portable: plain ECMAScript, runs on XS.

const POLYNOMIAL = 0x31;
const INIT = 0xff;

/**
 * CRC-8 of `length` bytes of `bytes` starting at `offset` (defaults: from 0 to the end).
 * For a frame word at `frame[i], frame[i + 1]` with its checksum at `frame[i + 2]`:
 * `sensirionCrc8(frame, i, 2) === frame[i + 2]`.
 */
export function sensirionCrc8(bytes: Uint8Array, offset = 0, length = bytes.length - offset): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) throw new RangeError('offset: outside bytes');
  if (!Number.isInteger(length) || length < 0 || offset + length > bytes.length) throw new RangeError('length: outside bytes');
  let crc = INIT;
  for (let i = offset; i < offset + length; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ POLYNOMIAL) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}
