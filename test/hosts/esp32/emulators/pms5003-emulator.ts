// An emulated Plantower PMS5003 on an EmulatedSerialPort, per the PMS5003 data manual V2.3:
// Appendix I frames (42 4D, length 28, 13 big-endian words, 16-bit sum), Appendix II commands (E2 passive read,
// E1 mode, E4 sleep/wake) and their 8-byte answers (42 4D 00 04 CMD DATA CHECK). Active mode sends a frame on
// each tick(); passive mode answers E2; sleep silences it; wake-up is not answered. Frames are built here from
// the manual's layout, independently of the driver. Faults come from the port (dropTx, writeFault) and from
// what a test chooses to send (garbage(), a frame with `corrupt`).
import { EmulatedSerialPort } from './serial-io.js';

export interface Pms5003Values {
  /** Data 1..3, "CF=1, standard particle". */
  cf1: { pm1: number; pm2_5: number; pm10: number };
  /** Data 4..6, "under atmospheric environment". */
  atmospheric: { pm1: number; pm2_5: number; pm10: number };
  /** Data 7..12, particles beyond 0.3, 0.5, 1.0, 2.5, 5.0, 10 um in 0.1 L of air. */
  counts: readonly number[];
  /** Data 13, reserved. */
  reserved: number;
}

export const DEFAULT_PMS5003_VALUES: Pms5003Values = Object.freeze({
  cf1: Object.freeze({ pm1: 12, pm2_5: 19, pm10: 23 }),
  atmospheric: Object.freeze({ pm1: 11, pm2_5: 17, pm10: 21 }),
  counts: Object.freeze([2100, 640, 120, 14, 3, 1]),
  reserved: 0x9700,
});

function withSum(bytes: number[]): Uint8Array {
  let sum = 0;
  for (const b of bytes) sum += b;
  return Uint8Array.from([...bytes, (sum >> 8) & 0xff, sum & 0xff]);
}

/** The 32-byte data frame of Appendix I. */
export function pms5003Frame(values: Pms5003Values = DEFAULT_PMS5003_VALUES): Uint8Array {
  const words = [
    28,
    values.cf1.pm1,
    values.cf1.pm2_5,
    values.cf1.pm10,
    values.atmospheric.pm1,
    values.atmospheric.pm2_5,
    values.atmospheric.pm10,
    ...values.counts,
    values.reserved,
  ];
  const bytes = [0x42, 0x4d];
  for (const w of words) bytes.push((w >> 8) & 0xff, w & 0xff);
  return withSum(bytes);
}

/** The answer to a mode or sleep command (Appendix II). */
export function pms5003Answer(command: number, data: number): Uint8Array {
  return withSum([0x42, 0x4d, 0x00, 0x04, command, data]);
}

export class Pms5003Emulator {
  readonly port = new EmulatedSerialPort();
  mode: 'active' | 'passive' = 'active';
  asleep = false;
  values: Pms5003Values = DEFAULT_PMS5003_VALUES;
  /** Valid commands received: [command, data]. */
  readonly commands: [number, number][] = [];

  constructor() {
    this.port.onHostWrite = (bytes) => this.#onCommand(bytes);
  }

  /** One active-mode transmission: sends the current frame when awake and in active mode. */
  tick(): void {
    if (!this.asleep && this.mode === 'active') this.port.send(pms5003Frame(this.values));
  }

  /** Delivers answers queued by commands. */
  deliver(): void {
    this.port.deliver();
  }

  #onCommand(bytes: Uint8Array): void {
    if (bytes.length !== 7 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return;
    const sum = bytes[0]! + bytes[1]! + bytes[2]! + bytes[3]! + bytes[4]!;
    if (((bytes[5]! << 8) | bytes[6]!) !== sum) return; // the sensor ignores a command with a bad LRC
    const command = bytes[2]!;
    const data = (bytes[3]! << 8) | bytes[4]!;
    this.commands.push([command, data]);
    switch (command) {
      case 0xe2:
        if (!this.asleep && this.mode === 'passive') this.port.queue(pms5003Frame(this.values));
        break;
      case 0xe1:
        if (this.asleep) break;
        this.mode = data === 1 ? 'active' : 'passive';
        this.port.queue(pms5003Answer(0xe1, data));
        break;
      case 0xe4:
        if (data === 0) {
          this.port.queue(pms5003Answer(0xe4, 0));
          this.asleep = true;
        } else {
          this.asleep = false; // wake-up: no answer
        }
        break;
    }
  }
}
