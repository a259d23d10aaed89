// Plantower PMS5003 particulate matter sensor over UART, ECMA-419 Sensor Class Pattern.
// Source: "Digital universal particle concentration sensor PMS5003 series data manual", V2.3, 2016-06-01
// (Appendix I: transport protocol, active mode; Appendix II: host protocol, passive mode).
//
// The sensor talks on its own (active mode, the default after power-up: a 32-byte frame every 1 to 2.3 s), so
// the driver is event-driven: the Serial io calls onReadable, the driver reassembles and checks frames and
// keeps the latest valid one. sample() returns that frame's values if it is at most maxAge old, and reports why
// not otherwise. In passive mode sample() returns the answer to the read request the previous sample() sent
// (so the values are one sample interval old) and sends the next request; sample() cannot wait for an answer. Values are the "atmospheric environment" concentrations (data 4..6), not the "CF=1" ones
// (data 1..3): the manual notes that CF=1 "should be used in the factory environment", i.e. it is the
// calibration-particle reading, while data 4..6 are the concentrations under ambient conditions that an
// outdoor node reports. (At low concentrations both are equal; above roughly 30 ug/m3 CF=1 reads higher.)
import { hex, type FrameProtocol, type SerialSensorOptions } from './serial-frames.js';
import { SerialParticleSensor } from './serial-particle-sensor.js';

/** Appendix I: frame layout (byte offsets) of the 32-byte data frame. */
const Frame = Object.freeze({
  START1: 0x42,
  START2: 0x4d,
  /** "Frame length = 2x13+2 (data+check bytes)". */
  DATA_LENGTH: 28,
  /** Answer to a mode or sleep command (Appendix II): 42 4D 00 04 CMD DATA CHECK_H CHECK_L. */
  ACK_LENGTH: 4,
  PM1_CF1: 4,
  PM2_5_CF1: 6,
  PM10_CF1: 8,
  /** Data 4..6: "PM1.0 / PM2.5 / PM10 concentration (ug/m3) under atmospheric environment". */
  PM1_ATM: 10,
  PM2_5_ATM: 12,
  PM10_ATM: 14,
  /** "Check code = Start character 1 + Start character 2 + ... + data 13 low 8 bits", 16 bits. */
  CHECK: 30,
  SIZE: 32,
});

/** Appendix II: host commands, 42 4D CMD DATAH DATAL LRCH LRCL with LRC = sum of the first five bytes. */
const Command = Object.freeze({
  /** Read in passive mode; answered with a data frame. */
  READ: 0xe2,
  /** Change mode: data 0x00 passive, 0x01 active; answered with an ack frame. */
  MODE: 0xe1,
  /** Sleep set: data 0x00 sleep (answered), 0x01 wake-up (not answered; data frames resume). */
  SLEEP: 0xe4,
});

/** Circuit attention 4): "Stable data should be got at least 30 seconds after the sensor wakeup from the sleep mode". */
const WARM_UP_MS = 30_000;
/** Active mode sends at most every 2.3 s (stable mode); 10 s tolerates a few lost frames. */
const MAX_AGE_MS = 10_000;

const protocol: FrameProtocol = Object.freeze({
  start: Frame.START1,
  headerLength: 4,
  maxLength: Frame.SIZE,
  lengthOf(bytes: Uint8Array): number {
    if (bytes[1] !== Frame.START2) return 0;
    const length = (bytes[2]! << 8) | bytes[3]!;
    return length === Frame.DATA_LENGTH || length === Frame.ACK_LENGTH ? 4 + length : 0;
  },
});

export type Pms5003Mode = 'active' | 'passive';

export interface Pms5003Configuration {
  /** Active: the sensor sends frames by itself. Passive: each sample() asks for the next frame. */
  mode?: Pms5003Mode;
  /** True puts the fan and laser to sleep; false wakes them (then warm-up applies again). */
  sleep?: boolean;
}

export interface Pms5003Options extends SerialSensorOptions, Pms5003Configuration {}

export type Pms5003Sample = { particulateMatter: { pm1: number; pm2_5: number; pm10: number } };

/** The 7-byte host command (Appendix II). */
export function pms5003Command(command: number, data: number): Uint8Array {
  const bytes = Uint8Array.of(Frame.START1, Frame.START2, command, (data >> 8) & 0xff, data & 0xff, 0, 0);
  const sum = bytes[0]! + bytes[1]! + bytes[2]! + bytes[3]! + bytes[4]!;
  bytes[5] = (sum >> 8) & 0xff;
  bytes[6] = sum & 0xff;
  return bytes;
}

function word(frame: Uint8Array, at: number): number {
  return (frame[at]! << 8) | frame[at + 1]!;
}

export class PMS5003 extends SerialParticleSensor<Pms5003Sample['particulateMatter']> {
  #mode: Pms5003Mode = 'active';
  protected readonly warmUpText: string;
  protected readonly noAnswerText = 'no data: no answer to the passive read request';

  constructor(options: Pms5003Options) {
    super(options, { name: 'pms5003', protocol, warmUpMs: WARM_UP_MS, maxAgeMs: MAX_AGE_MS });
    this.warmUpText = `warming up: data is stable ${this.warmUp / 1000} s after wake-up`;
    if (this.io) this.configure(options);
  }

  configure(options: Pms5003Configuration = {}): void {
    const { mode, sleep } = options;
    if (mode !== undefined && mode !== 'active' && mode !== 'passive') throw new RangeError('options.mode: expected "active" or "passive"');
    if (sleep !== undefined && typeof sleep !== 'boolean') throw new TypeError('options.sleep: expected a boolean');
    if (sleep === true) {
      this.write(pms5003Command(Command.SLEEP, 0), Command.SLEEP, 0);
      this.markAsleep();
    }
    if (mode !== undefined) {
      this.#mode = mode;
      this.forgetRequest();
      const data = mode === 'active' ? 1 : 0;
      this.write(pms5003Command(Command.MODE, data), Command.MODE, data);
    }
    if (sleep === false) {
      // No answer to wake-up: the fan restarts and data frames resume (Appendix II).
      this.write(pms5003Command(Command.SLEEP, 1), Command.SLEEP);
      this.markAwake();
    }
    // Passive mode: ask now, so that the first sample() has an answer to return.
    if (mode === 'passive' && !this.asleep) this.request();
  }

  get configuration(): Required<Pms5003Configuration> {
    return { mode: this.#mode, sleep: this.asleep };
  }

  protected get polled(): boolean {
    return this.#mode === 'passive';
  }

  protected staleAfter(): number {
    return this.maxAge ?? this.defaultMaxAge;
  }

  protected sendRequest(): void {
    this.write(pms5003Command(Command.READ, 0), Command.READ);
  }

  protected onFrame(frame: Uint8Array): void {
    const end = frame.length - 2;
    let sum = 0;
    for (let i = 0; i < end; i++) sum += frame[i]!;
    const check = word(frame, end);
    if ((sum & 0xffff) !== check) {
      this.report(`bad checksum: frame ${hex(frame)} sums to 0x${sum.toString(16)}, says 0x${check.toString(16)}`);
      return;
    }
    if (frame.length === 4 + Frame.ACK_LENGTH) {
      // The answer echoes command and data: 42 4D 00 04 E1 00 01 74 answers "passive".
      this.acknowledge(frame[4]!, frame[5]!);
      return;
    }
    this.store({ pm1: word(frame, Frame.PM1_ATM), pm2_5: word(frame, Frame.PM2_5_ATM), pm10: word(frame, Frame.PM10_ATM) });
  }
}

export default PMS5003;
