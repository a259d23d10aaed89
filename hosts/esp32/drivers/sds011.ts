// Nova Fitness SDS011 particulate matter sensor over UART, ECMA-419 Sensor Class Pattern.
// Source: Nova Fitness "Laser Dust Sensor Control Protocol V1.3" (sections "Set data reporting mode", "Query
// data command", "Set sleep and work", "Set working period") and the SDS011 datasheet V1.3 (UART 9600 8N1, data
// frame AA C0 ... AB once a second).
//
// Event-driven like pms5003.ts (both on serial-particle-sensor.ts): the latest valid data frame is kept, and
// sample() returns it while it is fresh. In query mode sample() returns the answer to the query the previous
// sample() sent and sends the next one. The SDS011 has no PM1 channel: the sample carries pm2_5 and pm10 only.
import { hex, type FrameProtocol, type SerialSensorOptions } from './serial-frames.js';
import { SerialParticleSensor } from './serial-particle-sensor.js';

/** Sensor-to-host frames: AA, command id, data 1..6, checksum = low byte of data 1 + ... + data 6, AB. */
const Frame = Object.freeze({
  HEAD: 0xaa,
  TAIL: 0xab,
  /** Data frame: PM2.5 low, PM2.5 high, PM10 low, PM10 high, device id 1, device id 2. */
  DATA: 0xc0,
  /** Reply to a command: data 1 echoes the command (0x02, 0x06, 0x08, ...). */
  REPLY: 0xc5,
  PM2_5: 2,
  PM10: 4,
  CHECKSUM: 8,
  SIZE: 10,
});

/** Host-to-sensor frames: AA B4, data 1..15 (data 14, 15 = device id, FF FF for any), checksum of data 1..15, AB. */
const Command = Object.freeze({
  HEAD: 0xb4,
  SIZE: 19,
  /** Set data reporting mode: data 2 = 1 (set), data 3 = 0 active / 1 query. */
  REPORTING_MODE: 0x02,
  /** Query data command: answered with a data frame. */
  QUERY: 0x04,
  /** Set sleep and work: data 2 = 1 (set), data 3 = 0 sleep / 1 work. */
  SLEEP_WORK: 0x06,
  /** Set working period: data 2 = 1 (set), data 3 = 0 continuous / 1..30 minutes. */
  WORKING_PERIOD: 0x08,
  ANY_DEVICE: 0xffff,
});

/** "Set working period": 1..30 minutes, the sensor then "works 30 seconds and sleeps n*60-30 seconds". */
const MAX_WORK_PERIOD = 30;
const WARM_UP_MS = 30_000;
/** Continuous mode reports every second; 10 s tolerates a few lost frames. */
const MAX_AGE_MS = 10_000;

const protocol: FrameProtocol = Object.freeze({
  start: Frame.HEAD,
  headerLength: 2,
  maxLength: Frame.SIZE,
  lengthOf(bytes: Uint8Array): number {
    return bytes[1] === Frame.DATA || bytes[1] === Frame.REPLY ? Frame.SIZE : 0;
  },
});

export type Sds011ReportingMode = 'active' | 'query';

export interface Sds011Configuration {
  /** Active: the sensor reports by itself. Query: each sample() asks for the next report. */
  reportingMode?: Sds011ReportingMode;
  /** Minutes between reports, 0 (continuous, every second) to 30. Stored by the sensor across power cycles. */
  workPeriod?: number;
  /** True stops fan and laser; false restarts them (warm-up applies again). */
  sleep?: boolean;
}

export interface Sds011Options extends SerialSensorOptions, Sds011Configuration {}

export type Sds011Sample = { particulateMatter: { pm2_5: number; pm10: number } };

/** The 19-byte command frame for `data` (data 1..13); the driver addresses every device (0xFFFF). */
export function sds011Command(data: readonly number[], deviceId: number = Command.ANY_DEVICE): Uint8Array {
  const bytes = new Uint8Array(Command.SIZE);
  bytes[0] = Frame.HEAD;
  bytes[1] = Command.HEAD;
  bytes.set(data, 2);
  bytes[15] = (deviceId >> 8) & 0xff;
  bytes[16] = deviceId & 0xff;
  let sum = 0;
  for (let i = 2; i <= 16; i++) sum += bytes[i]!;
  bytes[17] = sum & 0xff;
  bytes[18] = Frame.TAIL;
  return bytes;
}

export class SDS011 extends SerialParticleSensor<Sds011Sample['particulateMatter']> {
  #reportingMode: Sds011ReportingMode = 'active';
  #workPeriod = 0;
  protected readonly warmUpText: string;
  protected readonly noAnswerText = 'no data: no answer to the query';

  constructor(options: Sds011Options) {
    super(options, { name: 'sds011', protocol, warmUpMs: WARM_UP_MS, maxAgeMs: MAX_AGE_MS });
    this.warmUpText = `warming up: the fan runs ${this.warmUp / 1000} s before data is used`;
    if (this.io) this.configure(options);
  }

  configure(options: Sds011Configuration = {}): void {
    const { reportingMode, workPeriod, sleep } = options;
    if (reportingMode !== undefined && reportingMode !== 'active' && reportingMode !== 'query') {
      throw new RangeError('options.reportingMode: expected "active" or "query"');
    }
    if (workPeriod !== undefined && (!Number.isInteger(workPeriod) || workPeriod < 0 || workPeriod > MAX_WORK_PERIOD)) {
      throw new RangeError(`options.workPeriod: expected whole minutes from 0 to ${MAX_WORK_PERIOD}`);
    }
    if (sleep !== undefined && typeof sleep !== 'boolean') throw new TypeError('options.sleep: expected a boolean');
    if (sleep === false) this.#setAwake(true);
    if (reportingMode !== undefined) {
      this.#reportingMode = reportingMode;
      this.forgetRequest();
      this.#set(Command.REPORTING_MODE, reportingMode === 'query' ? 1 : 0);
    }
    if (workPeriod !== undefined) {
      this.#workPeriod = workPeriod;
      this.#set(Command.WORKING_PERIOD, workPeriod);
    }
    if (sleep === true) this.#setAwake(false);
    if (reportingMode === 'query' && !this.asleep) this.request();
  }

  get configuration(): Required<Sds011Configuration> {
    return { reportingMode: this.#reportingMode, workPeriod: this.#workPeriod, sleep: this.asleep };
  }

  protected get polled(): boolean {
    return this.#reportingMode === 'query';
  }

  /** With a working period of n minutes a report comes every n minutes, so staleness follows it. */
  protected staleAfter(): number {
    return this.maxAge ?? (this.#workPeriod === 0 ? this.defaultMaxAge : this.#workPeriod * 60_000 + this.defaultMaxAge);
  }

  protected sendRequest(): void {
    this.write(sds011Command([Command.QUERY]), Command.QUERY);
  }

  protected onFrame(frame: Uint8Array): void {
    let sum = 0;
    for (let i = 2; i < Frame.CHECKSUM; i++) sum += frame[i]!;
    if (frame[Frame.SIZE - 1] !== Frame.TAIL) {
      this.report(`bad frame: ${hex(frame)} does not end in 0xab`);
      return;
    }
    if ((sum & 0xff) !== frame[Frame.CHECKSUM]) {
      this.report(`bad checksum: frame ${hex(frame)} sums to 0x${(sum & 0xff).toString(16)}, says 0x${frame[Frame.CHECKSUM]!.toString(16)}`);
      return;
    }
    if (frame[1] === Frame.REPLY) {
      // A reply to "set" (data 2 = 1) echoes the command and the value that was set.
      if (frame[3] === 1) this.acknowledge(frame[2]!, frame[4]!);
      return;
    }
    // Data 1..4: PM2.5 = (high * 256 + low) / 10, PM10 likewise, in ug/m3.
    this.store({
      pm2_5: (frame[Frame.PM2_5]! | (frame[Frame.PM2_5 + 1]! << 8)) / 10,
      pm10: (frame[Frame.PM10]! | (frame[Frame.PM10 + 1]! << 8)) / 10,
    });
  }

  /** "Set" commands (data 2 = 1) are answered with a reply echoing command and value. */
  #set(command: number, value: number): void {
    this.write(sds011Command([command, 1, value]), command, value);
  }

  #setAwake(awake: boolean): void {
    this.#set(Command.SLEEP_WORK, awake ? 1 : 0);
    if (awake) this.markAwake();
    else this.markAsleep();
  }
}

export default SDS011;
