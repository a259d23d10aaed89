// What the PMS5003 and SDS011 drivers share: both are fan-and-laser particulate sensors on a 9600 8N1 UART that
// either report by themselves (active mode) or answer a request (passive / query mode), acknowledge some commands,
// and give no usable data for a while after waking. This base class opens the port, reassembles frames
// (serial-frames.ts), and owns the sample() skeleton: not open -> unacknowledged commands -> asleep -> warm-up ->
// fresh data (active: at most staleAfter() old; polled: the answer to the previous sample()'s request, which is
// then renewed) -> close(). Subclasses supply the protocol: frames, commands, and the texts of their reports.
import { FrameReader, durationOption, messageOf, readAvailable, reporter, type FrameProtocol, type SerialIo, type SerialSensorOptions } from './serial-frames.js';

/** A mode or sleep command not answered within this long is reported at the next sample(). */
const ACK_TIMEOUT_MS = 2_000;

export interface ParticleSensorDefaults {
  /** Sensor name in reports. */
  name: string;
  protocol: FrameProtocol;
  warmUpMs: number;
  maxAgeMs: number;
}

export abstract class SerialParticleSensor<V extends object> {
  protected io: SerialIo | undefined;
  protected readonly report: (message: string) => void;
  protected readonly now: () => number;
  /** options.maxAge if given; otherwise staleAfter() decides. */
  protected readonly maxAge: number | undefined;
  protected readonly defaultMaxAge: number;
  protected readonly warmUp: number;
  protected asleep = false;
  #awakeSince: number;
  #latest: V | undefined;
  #latestAt = 0;
  #requestedAt: number | undefined;
  readonly #reader: FrameReader;
  readonly #awaitingAck: { command: number; value: number; at: number }[] = [];

  constructor(options: SerialSensorOptions, defaults: ParticleSensorDefaults) {
    if (!options?.sensor || typeof options.sensor.io !== 'function') throw new TypeError('options.sensor.io: expected a Serial IO class');
    this.report = reporter(defaults.name, options.onError);
    this.now = options.now ?? Date.now;
    this.maxAge = options.maxAge === undefined ? undefined : durationOption(options.maxAge, 'options.maxAge', defaults.maxAgeMs);
    this.defaultMaxAge = defaults.maxAgeMs;
    this.warmUp = durationOption(options.warmUp, 'options.warmUp', defaults.warmUpMs);
    this.#reader = new FrameReader(defaults.protocol);
    this.#awakeSince = this.now();
    try {
      this.io = new options.sensor.io({
        baud: 9600, // both datasheets: 9600 bit/s, 8 data bits, no parity, 1 stop bit
        ...options.sensor,
        format: 'buffer',
        onReadable: () => this.#onReadable(),
      });
    } catch (error) {
      this.report(`cannot open the serial port: ${messageOf(error)}`);
    }
  }

  /** True when the sensor answers requests instead of reporting by itself (passive / query mode). */
  protected abstract get polled(): boolean;
  /** A data frame in active mode older than this (ms) is stale. */
  protected abstract staleAfter(): number;
  /** Send the protocol's read request (the base records when). */
  protected abstract sendRequest(): void;
  /** A complete frame from the reader: check it, then acknowledge() or store(). */
  protected abstract onFrame(frame: Uint8Array): void;
  protected abstract readonly warmUpText: string;
  protected abstract readonly noAnswerText: string;

  sample(): { particulateMatter: V } | undefined {
    try {
      if (!this.io) {
        this.report('not open');
        return undefined;
      }
      this.#checkAck();
      if (this.asleep) {
        this.report('asleep (configure({sleep: false}) wakes it)');
        return undefined;
      }
      const result = this.#fresh(this.now());
      if (this.polled) this.request();
      return result;
    } catch (error) {
      this.report(`sample failed: ${messageOf(error)}`);
      return undefined;
    }
  }

  close(): void {
    const io = this.io;
    this.io = undefined;
    this.#reader.clear();
    try {
      io?.close();
    } catch (error) {
      this.report(`close failed: ${messageOf(error)}`);
    }
  }

  /** Ask for the next frame now (polled mode); sample() returns the answer. */
  protected request(): void {
    this.#requestedAt = this.now();
    this.sendRequest();
  }

  /** A mode change: an answer to an older request must not pass for one to the next. */
  protected forgetRequest(): void {
    this.#requestedAt = undefined;
  }

  protected markAsleep(): void {
    this.asleep = true;
    this.#latest = undefined;
  }

  protected markAwake(): void {
    this.asleep = false;
    this.#awakeSince = this.now();
    this.#latest = undefined;
  }

  /** Keep a valid data frame's values, unless the fan is still warming up. */
  protected store(values: V): void {
    const now = this.now();
    if (now - this.#awakeSince < this.warmUp) return;
    this.#latest = values;
    this.#latestAt = now;
  }

  /** Write a command; `ackValue` defined: the sensor must acknowledge it within ACK_TIMEOUT_MS. */
  protected write(bytes: Uint8Array, command: number, ackValue?: number): void {
    const io = this.io;
    if (!io) {
      this.report(`cannot send command 0x${command.toString(16)}: not open`);
      return;
    }
    try {
      io.write(bytes);
      if (ackValue !== undefined) this.#awaitingAck.push({ command, value: ackValue, at: this.now() });
    } catch (error) {
      this.report(`cannot send command 0x${command.toString(16)}: ${messageOf(error)}`);
    }
  }

  /** An acknowledgement frame arrived for (command, value). */
  protected acknowledge(command: number, value: number): void {
    const i = this.#awaitingAck.findIndex((p) => p.command === command && p.value === value);
    if (i >= 0) this.#awaitingAck.splice(i, 1);
  }

  #fresh(now: number): { particulateMatter: V } | undefined {
    if (now - this.#awakeSince < this.warmUp) {
      this.report(this.warmUpText);
      return undefined;
    }
    if (!this.#latest) {
      this.report(this.polled ? this.noAnswerText : 'no data: no valid frame received yet');
      return undefined;
    }
    if (this.polled) {
      // The answer to the previous sample()'s request, however long ago that was; an unanswered request leaves
      // an older frame behind, which must not pass for a new one.
      if (this.#requestedAt === undefined || this.#latestAt < this.#requestedAt) {
        this.report(this.noAnswerText);
        return undefined;
      }
      return { particulateMatter: { ...this.#latest } };
    }
    const age = now - this.#latestAt;
    if (!(age >= 0 && age <= this.staleAfter())) {
      this.report(`no data: last valid frame is ${Math.round(age / 1000)} s old (sensor silent or disconnected)`);
      return undefined;
    }
    return { particulateMatter: { ...this.#latest } };
  }

  #onReadable(): void {
    const io = this.io;
    if (!io) return;
    try {
      // Bounded: a FIFO that never drains must not hold the event loop.
      for (let i = 0; i < 16; i++) {
        const bytes = readAvailable(io);
        if (!bytes) break;
        this.#reader.feed(bytes, (frame) => this.onFrame(frame));
      }
    } catch (error) {
      this.report(`serial read failed: ${messageOf(error)}`);
    }
    if (this.#reader.skipped > 0) {
      this.report(`skipped ${this.#reader.skipped} bytes that do not start a frame (noise, or a frame cut short)`);
      this.#reader.skipped = 0;
    }
  }

  #checkAck(): void {
    const now = this.now();
    for (let i = this.#awaitingAck.length - 1; i >= 0; i--) {
      const pending = this.#awaitingAck[i]!;
      if (now - pending.at <= ACK_TIMEOUT_MS) continue;
      this.#awaitingAck.splice(i, 1);
      this.report(`command 0x${pending.command.toString(16)} ${pending.value} was not acknowledged (TX line not connected?)`);
    }
  }
}
