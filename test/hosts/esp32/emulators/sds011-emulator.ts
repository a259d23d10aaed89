// An emulated Nova SDS011 on an EmulatedSerialPort, per the Laser Dust Sensor Control Protocol V1.3: data frames
// AA C0 (PM2.5, PM10 little-endian in 0.1 ug/m3, device id, checksum, AB), commands AA B4 (19 bytes, checksum of
// data 1..15) answered with AA C5 replies echoing the command, query mode answered per query, sleep silencing it.
// Frames are built here from the protocol's layout, independently of the driver.
import { EmulatedSerialPort } from './serial-io.js';

/** The protocol's example device id. */
export const SDS011_EXAMPLE_ID = 0xa160;

function frame(kind: number, data: readonly number[], id: number): Uint8Array {
  const bytes = [0xaa, kind, ...data, (id >> 8) & 0xff, id & 0xff];
  let sum = 0;
  for (let i = 2; i < 8; i++) sum += bytes[i]!;
  return Uint8Array.from([...bytes, sum & 0xff, 0xab]);
}

/** Data frame for PM2.5 and PM10 in ug/m3 (sent as tenths). */
export function sds011Frame(pm2_5: number, pm10: number, id = SDS011_EXAMPLE_ID): Uint8Array {
  const a = Math.round(pm2_5 * 10);
  const b = Math.round(pm10 * 10);
  return frame(0xc0, [a & 0xff, a >> 8, b & 0xff, b >> 8], id);
}

/** Reply to a command: data 1..4 = command, set/query, value, 0. */
export function sds011Reply(command: number, set: number, value: number, id = SDS011_EXAMPLE_ID): Uint8Array {
  return frame(0xc5, [command, set, value, 0], id);
}

export class Sds011Emulator {
  readonly port = new EmulatedSerialPort();
  pm2_5 = 12.3;
  pm10 = 40.7;
  reportingMode: 'active' | 'query' = 'active';
  workPeriod = 0;
  asleep = false;
  id = SDS011_EXAMPLE_ID;
  /** Valid commands received, as data 1..3. */
  readonly commands: [number, number, number][] = [];

  constructor() {
    this.port.onHostWrite = (bytes) => this.#onCommand(bytes);
  }

  /** One report in active mode (every second, or once per working period). */
  tick(): void {
    if (!this.asleep && this.reportingMode === 'active') this.port.send(sds011Frame(this.pm2_5, this.pm10, this.id));
  }

  deliver(): void {
    this.port.deliver();
  }

  #onCommand(bytes: Uint8Array): void {
    if (bytes.length !== 19 || bytes[0] !== 0xaa || bytes[1] !== 0xb4 || bytes[18] !== 0xab) return;
    let sum = 0;
    for (let i = 2; i <= 16; i++) sum += bytes[i]!;
    if ((sum & 0xff) !== bytes[17]) return;
    const target = (bytes[15]! << 8) | bytes[16]!;
    if (target !== 0xffff && target !== this.id) return;
    const [command, set, value] = [bytes[2]!, bytes[3]!, bytes[4]!];
    this.commands.push([command, set, value]);
    if (this.asleep && !(command === 0x06 && set === 1 && value === 1)) return;
    switch (command) {
      case 0x02:
        if (set) this.reportingMode = value ? 'query' : 'active';
        this.port.queue(sds011Reply(0x02, set, this.reportingMode === 'query' ? 1 : 0, this.id));
        break;
      case 0x04:
        this.port.queue(sds011Frame(this.pm2_5, this.pm10, this.id));
        break;
      case 0x06:
        if (set) this.asleep = value === 0;
        this.port.queue(sds011Reply(0x06, set, this.asleep ? 0 : 1, this.id));
        break;
      case 0x08:
        if (set) this.workPeriod = value;
        this.port.queue(sds011Reply(0x08, set, this.workPeriod, this.id));
        break;
    }
  }
}
