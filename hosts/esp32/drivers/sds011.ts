// Nova Fitness SDS011 particulate matter sensor over UART, ECMA-419 Sensor Class Pattern.
// Source: Nova Fitness "Laser Dust Sensor Control Protocol V1.3" (sections "Set data reporting mode", "Query
// data command", "Set sleep and work", "Set working period") and the SDS011 datasheet V1.3 (UART 9600 8N1, data
// frame AA C0 ... AB once a second).
//
// Event-driven like pms5003.ts: onReadable feeds a frame reader, the latest valid data frame is kept, and
// sample() returns it while it is fresh. In query mode sample() returns the answer to the query the previous
// sample() sent and sends the next one. The SDS011 has no PM1 channel: the sample carries pm2_5 and pm10 only.
import {
  FrameReader,
  durationOption,
  hex,
  messageOf,
  readAvailable,
  reporter,
  type FrameProtocol,
  type SerialIo,
  type SerialSensorOptions,
} from './serial-frames.js';

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
const ACK_TIMEOUT_MS = 2_000;

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

export class SDS011 {
  #io: SerialIo | undefined;
  readonly #report: (message: string) => void;
  readonly #now: () => number;
  readonly #maxAge: number | undefined;
  readonly #warmUp: number;
  readonly #reader = new FrameReader(protocol);
  #reportingMode: Sds011ReportingMode = 'active';
  #workPeriod = 0;
  #asleep = false;
  #awakeSince: number;
  #latest: Sds011Sample['particulateMatter'] | undefined;
  #latestAt = 0;
  #queriedAt: number | undefined;
  readonly #awaitingAck: { command: number; value: number; at: number }[] = [];

  constructor(options: Sds011Options) {
    if (!options?.sensor || typeof options.sensor.io !== 'function') throw new TypeError('options.sensor.io: expected a Serial IO class');
    this.#report = reporter('sds011', options.onError);
    this.#now = options.now ?? Date.now;
    this.#maxAge = options.maxAge === undefined ? undefined : durationOption(options.maxAge, 'options.maxAge', MAX_AGE_MS);
    this.#warmUp = durationOption(options.warmUp, 'options.warmUp', WARM_UP_MS);
    this.#awakeSince = this.#now();
    try {
      this.#io = new options.sensor.io({
        baud: 9600, // datasheet: 9600 bit/s, 8 data bits, no parity, 1 stop bit
        ...options.sensor,
        format: 'buffer',
        onReadable: () => this.#onReadable(),
      });
    } catch (error) {
      this.#report(`cannot open the serial port: ${messageOf(error)}`);
      return;
    }
    this.configure(options);
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
      this.#queriedAt = undefined;
      this.#send([Command.REPORTING_MODE, 1, reportingMode === 'query' ? 1 : 0]);
    }
    if (workPeriod !== undefined) {
      this.#workPeriod = workPeriod;
      this.#send([Command.WORKING_PERIOD, 1, workPeriod]);
    }
    if (sleep === true) this.#setAwake(false);
    if (reportingMode === 'query' && !this.#asleep) this.#query();
  }

  get configuration(): Required<Sds011Configuration> {
    return { reportingMode: this.#reportingMode, workPeriod: this.#workPeriod, sleep: this.#asleep };
  }

  sample(): Sds011Sample | undefined {
    try {
      if (!this.#io) {
        this.#report('not open');
        return undefined;
      }
      this.#checkAck();
      if (this.#asleep) {
        this.#report('asleep (configure({sleep: false}) wakes it)');
        return undefined;
      }
      const result = this.#fresh(this.#now());
      if (this.#reportingMode === 'query') this.#query();
      return result;
    } catch (error) {
      this.#report(`sample failed: ${messageOf(error)}`);
      return undefined;
    }
  }

  close(): void {
    const io = this.#io;
    this.#io = undefined;
    this.#reader.clear();
    try {
      io?.close();
    } catch (error) {
      this.#report(`close failed: ${messageOf(error)}`);
    }
  }

  /** With a working period of n minutes a report comes every n minutes, so staleness follows it. */
  #staleAfter(): number {
    return this.#maxAge ?? (this.#workPeriod === 0 ? MAX_AGE_MS : this.#workPeriod * 60_000 + MAX_AGE_MS);
  }

  #fresh(now: number): Sds011Sample | undefined {
    if (now - this.#awakeSince < this.#warmUp) {
      this.#report(`warming up: the fan runs ${this.#warmUp / 1000} s before data is used`);
      return undefined;
    }
    if (!this.#latest) {
      this.#report(this.#reportingMode === 'query' ? 'no data: no answer to the query' : 'no data: no valid frame received yet');
      return undefined;
    }
    if (this.#reportingMode === 'query') {
      if (this.#queriedAt === undefined || this.#latestAt < this.#queriedAt) {
        this.#report('no data: no answer to the query');
        return undefined;
      }
      return { particulateMatter: { ...this.#latest } };
    }
    const age = now - this.#latestAt;
    if (!(age >= 0 && age <= this.#staleAfter())) {
      this.#report(`no data: last valid frame is ${Math.round(age / 1000)} s old (sensor silent or disconnected)`);
      return undefined;
    }
    return { particulateMatter: { ...this.#latest } };
  }

  #onReadable(): void {
    const io = this.#io;
    if (!io) return;
    try {
      for (let i = 0; i < 16; i++) {
        const bytes = readAvailable(io);
        if (!bytes) break;
        this.#reader.feed(bytes, (frame) => this.#onFrame(frame));
      }
    } catch (error) {
      this.#report(`serial read failed: ${messageOf(error)}`);
    }
    if (this.#reader.skipped > 0) {
      this.#report(`skipped ${this.#reader.skipped} bytes that do not start a frame (noise, or a frame cut short)`);
      this.#reader.skipped = 0;
    }
  }

  #onFrame(frame: Uint8Array): void {
    let sum = 0;
    for (let i = 2; i < Frame.CHECKSUM; i++) sum += frame[i]!;
    if (frame[Frame.SIZE - 1] !== Frame.TAIL) {
      this.#report(`bad frame: ${hex(frame)} does not end in 0xab`);
      return;
    }
    if ((sum & 0xff) !== frame[Frame.CHECKSUM]) {
      this.#report(`bad checksum: frame ${hex(frame)} sums to 0x${(sum & 0xff).toString(16)}, says 0x${frame[Frame.CHECKSUM]!.toString(16)}`);
      return;
    }
    if (frame[1] === Frame.REPLY) {
      // A reply to "set" (data 2 = 1) echoes the command and the value that was set.
      const i = this.#awaitingAck.findIndex((p) => p.command === frame[2] && frame[3] === 1 && p.value === frame[4]);
      if (i >= 0) this.#awaitingAck.splice(i, 1);
      return;
    }
    const now = this.#now();
    if (now - this.#awakeSince < this.#warmUp) return;
    // Data 1..4: PM2.5 = (high * 256 + low) / 10, PM10 likewise, in ug/m3.
    this.#latest = {
      pm2_5: (frame[Frame.PM2_5]! | (frame[Frame.PM2_5 + 1]! << 8)) / 10,
      pm10: (frame[Frame.PM10]! | (frame[Frame.PM10 + 1]! << 8)) / 10,
    };
    this.#latestAt = now;
  }

  #setAwake(awake: boolean): void {
    this.#send([Command.SLEEP_WORK, 1, awake ? 1 : 0]);
    this.#asleep = !awake;
    this.#latest = undefined;
    if (awake) this.#awakeSince = this.#now();
  }

  #query(): void {
    this.#queriedAt = this.#now();
    this.#send([Command.QUERY], false);
  }

  #send(data: readonly number[], answered = true): void {
    const io = this.#io;
    const command = data[0]!;
    if (!io) {
      this.#report(`cannot send command 0x${command.toString(16)}: not open`);
      return;
    }
    try {
      io.write(sds011Command(data));
      if (answered) this.#awaitingAck.push({ command, value: data[2]!, at: this.#now() });
    } catch (error) {
      this.#report(`cannot send command 0x${command.toString(16)}: ${messageOf(error)}`);
    }
  }

  #checkAck(): void {
    const now = this.#now();
    for (let i = this.#awaitingAck.length - 1; i >= 0; i--) {
      const pending = this.#awaitingAck[i]!;
      if (now - pending.at <= ACK_TIMEOUT_MS) continue;
      this.#awaitingAck.splice(i, 1);
      this.#report(`command 0x${pending.command.toString(16)} ${pending.value} was not acknowledged (TX line not connected?)`);
    }
  }
}

export default SDS011;
