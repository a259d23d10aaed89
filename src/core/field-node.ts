// The node loop: wait for valid time -> sample on schedule -> build reading -> sign -> store in the outbox ->
// publish QoS 1 -> drop from the outbox only on acknowledgement. It never throws out of a timer callback:
// every failure goes to the log or onError and the next cycle runs.
import { signSign1 } from './cose-sign1.js';
import { deviceIdOf, deviceIdText } from './device-id.js';
import type { Clock, Log, Timer, Transport } from './host.js';
import type { Outbox } from './outbox.js';
import { encodeReading, type ReadingV1 } from './reading.js';
import { messageOf, type Sampler } from './sampler.js';
import type { SequenceAllocator } from './sequence.js';
import type { Signer } from './signer.js';
import { encodeStatus } from './status.js';
import { nodeTopics, type NodeTopics } from './topics.js';

export interface FieldNodeConfig {
  /** Sampling interval in ms (>= 1000). */
  intervalMs: number;
  /** Firmware build id, 1..16 bytes, carried in every reading. */
  firmwareBuild: Uint8Array;
  /** Firmware version text (ASCII), carried in the status. */
  firmwareVersion: string;
  /** How often to re-check clock sync while waiting for it, ms. Default 1000. */
  clockPollMs?: number;
  /** How often to republish the status while online, ms. Default 300000 (5 min). */
  statusIntervalMs?: number;
  /** Readings in flight at once while draining the outbox. Default 8. */
  publishWindow?: number;
}

export interface FieldNodeDeps {
  clock: Clock;
  timer: Timer;
  signer: Signer;
  sequence: SequenceAllocator;
  outbox: Outbox;
  transport: Transport;
  sampler: Sampler;
  log: Log;
  /** Host diagnostics for the status message (free heap, reset reason, ...). */
  diagnostics?: () => Record<string, number | string>;
}

export interface FieldNodeStats {
  signed: number;
  published: number;
  skippedUnsynced: number;
  emptySamples: number;
  cycleErrors: number;
}

export type CycleResult =
  | { kind: 'stored'; seq: number; message: Uint8Array; reading: ReadingV1; dropped: number }
  | { kind: 'skipped'; reason: 'clock_unsynced' | 'no_measurements' | 'error'; detail: string };

export class FieldNode {
  readonly deviceId: Uint8Array;
  readonly deviceIdHex: string;
  readonly topics: NodeTopics;
  readonly stats: FieldNodeStats = { signed: 0, published: 0, skippedUnsynced: 0, emptySamples: 0, cycleErrors: 0 };
  readonly #deps: FieldNodeDeps;
  readonly #config: Required<FieldNodeConfig>;
  readonly #bootMs: number;
  #timerHandle: unknown = undefined;
  #statusHandle: unknown = undefined;
  #running = false;
  #maintenance = false;
  #draining: Promise<void> | undefined;
  #redrain = false;

  constructor(deps: FieldNodeDeps, config: FieldNodeConfig) {
    if (!Number.isInteger(config.intervalMs) || config.intervalMs < 1000) throw new RangeError('config.intervalMs: an integer of at least 1000');
    if (!(config.firmwareBuild instanceof Uint8Array) || config.firmwareBuild.length < 1 || config.firmwareBuild.length > 16) {
      throw new TypeError('config.firmwareBuild: 1 to 16 bytes');
    }
    if (typeof config.firmwareVersion !== 'string' || !/^[\x20-\x7e]{1,32}$/.test(config.firmwareVersion)) {
      throw new TypeError('config.firmwareVersion: 1 to 32 printable ASCII characters');
    }
    this.#deps = deps;
    this.#config = {
      clockPollMs: 1000,
      statusIntervalMs: 300_000,
      publishWindow: 8,
      ...config,
    };
    this.deviceId = deviceIdOf(deps.signer.publicKey);
    this.deviceIdHex = deviceIdText(this.deviceId);
    this.topics = nodeTopics(this.deviceIdHex);
    this.#bootMs = deps.clock.monotonic();
    deps.transport.setEvents({
      connect: () => this.#onConnect(),
      disconnect: (reason) => deps.log.warn(`transport down: ${reason}; readings wait in the outbox`),
    });
  }

  get maintenance(): boolean {
    return this.#maintenance;
  }

  /** Maintenance mode is signed into the flags of every reading taken while it is on. */
  setMaintenance(on: boolean): void {
    this.#maintenance = !!on;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
    if (this.#deps.transport.connected) this.#onConnect();
  }

  /** Stop sampling; what is in the outbox stays there. Resolves when an in-progress drain settles. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timerHandle !== undefined) this.#deps.timer.clear(this.#timerHandle);
    if (this.#statusHandle !== undefined) this.#deps.timer.clear(this.#statusHandle);
    this.#timerHandle = this.#statusHandle = undefined;
    await this.#draining;
  }

  /** Delay from `nowMs` to this node's next sampling slot. Slots are offset per device to spread broker load. */
  nextSlotDelay(nowMs: number): number {
    const interval = this.#config.intervalMs;
    const phase = ((this.deviceId[0]! << 16) | (this.deviceId[1]! << 8) | this.deviceId[2]!) % interval;
    const next = Math.floor((nowMs - phase) / interval) * interval + interval + phase;
    return Math.max(1, next - nowMs);
  }

  #schedule(): void {
    if (!this.#running) return;
    const { clock, timer } = this.#deps;
    const delay = clock.synced() ? this.nextSlotDelay(clock.now()) : this.#config.clockPollMs;
    this.#timerHandle = timer.set(() => {
      this.#timerHandle = undefined;
      if (clock.synced()) this.cycle();
      else this.stats.skippedUnsynced++;
      this.#schedule();
    }, delay);
  }

  /** One sampling cycle. Public for hosts that drive the schedule themselves (the simulator) and for tests. */
  cycle(): CycleResult {
    const { clock, sampler, sequence, signer, outbox, transport, log } = this.#deps;
    try {
      if (!clock.synced()) {
        this.stats.skippedUnsynced++;
        return { kind: 'skipped', reason: 'clock_unsynced', detail: 'wall clock not synced; nothing is signed until it is' };
      }
      const measurements = sampler.sample();
      if (measurements.length === 0) {
        this.stats.emptySamples++;
        return { kind: 'skipped', reason: 'no_measurements', detail: 'no sensor produced a value' };
      }
      const seq = sequence.next(); // persisted reservation before use: a crash after this never reuses seq
      const reading: ReadingV1 = {
        deviceId: this.deviceId,
        seq,
        time: Math.floor(clock.now() / 1000),
        measurements,
        firmware: this.#config.firmwareBuild,
        // Backfilled: it cannot go out at once, because the node is offline or older readings wait before it.
        flags: { backfilled: !transport.connected || outbox.depth > 0, maintenance: this.#maintenance },
      };
      const message = signSign1(encodeReading(reading), signer);
      this.stats.signed++;
      const dropped = outbox.append({ seq, message });
      if (dropped > 0) log.warn(`outbox full (${outbox.capacity}): dropped ${dropped} oldest reading(s), ${outbox.dropped} in total`);
      void this.drain();
      return { kind: 'stored', seq, message, reading, dropped };
    } catch (error) {
      this.stats.cycleErrors++;
      log.error(`sampling cycle failed: ${messageOf(error)}`);
      return { kind: 'skipped', reason: 'error', detail: messageOf(error) };
    }
  }

  /** Publish the outbox oldest first; each entry leaves it only once acknowledged. */
  drain(): Promise<void> {
    if (this.#draining) {
      this.#redrain = true;
      return this.#draining;
    }
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drainLoop(): Promise<void> {
    const { outbox, transport, log } = this.#deps;
    do {
      this.#redrain = false;
      while (transport.connected && outbox.depth > 0) {
        const batch = outbox.peek(this.#config.publishWindow);
        // MQTT keeps QoS 1 messages of one connection in order (MQTT 3.1.1 §4.6), so a window stays ordered.
        const results = await Promise.allSettled(
          batch.map((entry) =>
            transport.publish(this.topics.readings, entry.message, { qos: 1 }).then(() => {
              outbox.remove(entry.seq);
              this.stats.published++;
            }),
          ),
        );
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) {
          log.warn(`publish failed: ${messageOf((failed as PromiseRejectedResult).reason)}; ${outbox.depth} reading(s) kept for later`);
          return;
        }
      }
    } while (this.#redrain && transport.connected);
  }

  /** The signed status message (StatusV1 in COSE_Sign1). online=false is the last will. */
  statusMessage(online: boolean): Uint8Array {
    const { clock, signer, outbox, sequence, diagnostics } = this.#deps;
    const status = encodeStatus({
      online,
      time: clock.synced() ? Math.floor(clock.now() / 1000) : 0,
      deviceId: this.deviceIdHex,
      publicKey: signer.publicKey,
      firmwareVersion: this.#config.firmwareVersion,
      firmwareBuild: this.#config.firmwareBuild,
      uptimeS: Math.floor((clock.monotonic() - this.#bootMs) / 1000),
      outboxDepth: outbox.depth,
      outboxDropped: outbox.dropped,
      nextSeq: sequence.peekNext,
      diagnostics: diagnostics ? diagnostics() : {},
    });
    return signSign1(status, signer);
  }

  async publishStatus(): Promise<void> {
    const { transport, log } = this.#deps;
    if (!transport.connected) return;
    try {
      await transport.publish(this.topics.status, this.statusMessage(true), { qos: 1, retain: true });
    } catch (error) {
      log.warn(`status publish failed: ${messageOf(error)}`);
    }
  }

  #onConnect(): void {
    if (!this.#running) return;
    this.#deps.log.info(`connected; ${this.#deps.outbox.depth} reading(s) waiting in the outbox`);
    void this.publishStatus().then(() => this.drain());
    if (this.#statusHandle === undefined) this.#scheduleStatus();
  }

  #scheduleStatus(): void {
    if (!this.#running) return;
    this.#statusHandle = this.#deps.timer.set(() => {
      this.#statusHandle = undefined;
      void this.publishStatus();
      this.#scheduleStatus();
    }, this.#config.statusIntervalMs);
  }
}
