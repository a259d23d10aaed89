// The node's Transport (src/core/host.ts) over Moddable's ECMA-419 MQTT client ("embedded:network/mqtt/client",
// examples/io/tcp/mqttclient/mqttclient.js in the Moddable SDK; typings/embedded_network/mqtt/client.d.ts).
// That client speaks MQTT 3.1.1 with QoS 1, but leaves to its user what this class adds:
//   - publish() resolves on the PUBACK of its packet id (onControl), and rejects when the connection is lost;
//     unacknowledged readings stay in the outbox and are published again after the reconnect (MQTT 3.1.1 §4.4
//     lets a clean session drop them; the outbox, not the session, is what keeps them);
//   - packet ids 1..65535 that skip ids still in flight (the client's own counter is not bounded to 16 bits,
//     and 0 is not a valid id, MQTT 3.1.1 §2.3.1);
//   - a write the socket has no room for (the client throws "overflow") waits for onWritable;
//   - reconnect with backoff after onError (the client closes itself and calls onError; it never reconnects),
//     only while the network is up;
//   - a last will: the signed offline status, built fresh for every connection (MQTT 3.1.1 §3.1.2.5).
// The client constructor is injected, so all of this is tested with a fake client on Node.
import type { Log, PublishOptions, Timer, Transport, TransportEvents } from '../../src/core/host.js';
import type { Backoff } from './backoff.js';

/** MQTT 3.1.1 §2.2.1 control packet types, the numbers the Moddable client uses in `operation`. */
export const MqttOperation = Object.freeze({ CONNACK: 2, PUBLISH: 3, PUBACK: 4 });

export interface MqttControlMessage {
  operation: number;
  id?: number;
}

export interface MqttWill {
  topic: string;
  message: Uint8Array;
  QoS: 0 | 1;
  retain: boolean;
}

export interface MqttClientOptions {
  host: string;
  port: number;
  id: string;
  clean: boolean;
  /** Milliseconds, as the Moddable client takes it. */
  keepalive: number;
  user?: string;
  password?: string;
  will?: { topic: string; message: ArrayBuffer; QoS: number; retain: boolean };
  onControl(message: MqttControlMessage): void;
  onWritable(count: number): void;
  onReadable(count: number, options: unknown): void;
  onError(): void;
  onClose(): void;
}

export interface MqttWriteOptions {
  topic: string;
  QoS: 0 | 1;
  retain: boolean;
  id: number;
}

export interface MqttClient {
  write(data: Uint8Array, options: MqttWriteOptions): number;
  close(): void;
}

export type MqttClientFactory = (options: MqttClientOptions) => MqttClient;

export interface MqttTransportOptions {
  create: MqttClientFactory;
  host: string;
  port: number;
  clientId: string;
  user?: string;
  password?: string;
  /** Default 60000 ms. */
  keepaliveMs?: number;
  /** No CONNACK this long after starting a connection: give up on it. Default 30000 ms. */
  connectTimeoutMs?: number;
  /** The will for the next connection (the signed offline status). */
  will?: () => MqttWill | undefined;
  timer: Timer;
  backoff: Backoff;
  log: Log;
}

interface Waiting {
  topic: string;
  payload: Uint8Array;
  options: PublishOptions;
  resolve: () => void;
  reject: (error: Error) => void;
  id: number;
}

export class MqttTransport implements Transport {
  readonly #o: MqttTransportOptions;
  #events: TransportEvents | undefined;
  #client: MqttClient | undefined;
  #connected = false;
  #network = false;
  #nextId = 1;
  readonly #inFlight = new Map<number, Waiting>();
  readonly #queued: Waiting[] = [];
  #retry: unknown;
  #connectTimer: unknown;
  /** Connections made (CONNACK received), for diagnostics. */
  connections = 0;

  constructor(options: MqttTransportOptions) {
    if (typeof options?.create !== 'function') throw new TypeError('options.create: the MQTT client constructor');
    if (typeof options.host !== 'string' || options.host.length === 0) throw new TypeError('options.host: the broker host name');
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new RangeError('options.port: 1 to 65535');
    if (typeof options.clientId !== 'string' || options.clientId.length < 1 || options.clientId.length > 23) {
      throw new RangeError('options.clientId: 1 to 23 characters (MQTT 3.1.1 §3.1.3.1)');
    }
    this.#o = options;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get inFlight(): number {
    return this.#inFlight.size + this.#queued.length;
  }

  setEvents(events: TransportEvents): void {
    this.#events = events;
  }

  /** The network came up (connect now) or went down (drop the connection, stop retrying). */
  setNetwork(up: boolean): void {
    this.#network = up;
    if (up) {
      if (!this.#client && this.#retry === undefined) this.#connect();
    } else {
      this.#cancelRetry();
      if (this.#client) this.#lost('network down', false);
    }
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void> {
    if (!this.#connected || !this.#client) return Promise.reject(new Error('not connected'));
    return new Promise<void>((resolve, reject) => {
      const waiting: Waiting = { topic, payload, options, resolve, reject, id: 0 };
      if (this.#queued.length > 0) this.#queued.push(waiting);
      else if (!this.#send(waiting)) this.#queued.push(waiting);
    });
  }

  /** Close for good (firmware shutdown, tests). */
  close(): void {
    this.#network = false;
    this.#cancelRetry();
    if (this.#client) this.#lost('closed', false);
  }

  #connect(): void {
    const will = this.#o.will?.();
    let client: MqttClient | undefined;
    const guard = (fn: () => void) => () => {
      if (this.#client === client) fn();
    };
    try {
      client = this.#o.create({
        host: this.#o.host,
        port: this.#o.port,
        id: this.#o.clientId,
        clean: true,
        keepalive: this.#o.keepaliveMs ?? 60_000,
        ...(this.#o.user !== undefined ? { user: this.#o.user } : {}),
        ...(this.#o.password !== undefined ? { password: this.#o.password } : {}),
        ...(will ? { will: { topic: will.topic, message: exactBuffer(will.message), QoS: will.QoS, retain: will.retain } } : {}),
        onControl: (message) => {
          if (this.#client === client) this.#onControl(message);
        },
        onWritable: guard(() => this.#flush()),
        onReadable: () => {},
        // The client closes itself right after calling onError (mqttclient.js #onError), so it is not closed again here.
        onError: guard(() => this.#lost('connection error', true, false)),
        onClose: guard(() => this.#lost('connection closed', true, false)),
      });
    } catch (error) {
      this.#o.log.warn(`mqtt: cannot start a connection: ${(error as Error)?.message ?? String(error)}`);
      this.#scheduleRetry();
      return;
    }
    this.#client = client;
    this.#connectTimer = this.#o.timer.set(() => {
      this.#connectTimer = undefined;
      if (this.#client === client && !this.#connected) this.#lost(`no CONNACK within ${(this.#o.connectTimeoutMs ?? 30_000) / 1000} s`, true);
    }, this.#o.connectTimeoutMs ?? 30_000);
  }

  #onControl(message: MqttControlMessage): void {
    if (message.operation === MqttOperation.CONNACK) {
      // The Moddable client reports a refused CONNACK through onError; a CONNACK here is an accepted one.
      if (this.#connectTimer !== undefined) this.#o.timer.clear(this.#connectTimer);
      this.#connectTimer = undefined;
      this.#connected = true;
      this.connections++;
      this.#o.backoff.reset();
      this.#events?.connect();
    } else if (message.operation === MqttOperation.PUBACK && message.id !== undefined) {
      const waiting = this.#inFlight.get(message.id);
      if (waiting) {
        this.#inFlight.delete(message.id);
        waiting.resolve();
      }
    }
  }

  /** Write one message; false when the socket has no room (the client threw "overflow"). */
  #send(waiting: Waiting): boolean {
    const client = this.#client!;
    const qos = waiting.options.qos;
    const id = qos === 1 ? this.#allocateId() : 0;
    try {
      client.write(waiting.payload, { topic: waiting.topic, QoS: qos, retain: !!waiting.options.retain, id: id || 1 });
    } catch (error) {
      if ((error as Error)?.message === 'overflow') return false;
      waiting.reject(new Error(`publish failed: ${(error as Error)?.message ?? String(error)}`));
      return true;
    }
    if (qos === 1) {
      waiting.id = id;
      this.#inFlight.set(id, waiting);
    } else {
      waiting.resolve();
    }
    return true;
  }

  #flush(): void {
    while (this.#queued.length > 0 && this.#connected) {
      if (!this.#send(this.#queued[0]!)) return;
      this.#queued.shift();
    }
  }

  #allocateId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.#nextId;
      this.#nextId = id === 65535 ? 1 : id + 1;
      if (!this.#inFlight.has(id)) return id;
    }
    throw new Error('no free MQTT packet id (65535 messages in flight)');
  }

  #lost(reason: string, retry: boolean, close = true): void {
    const client = this.#client;
    const wasConnected = this.#connected;
    this.#client = undefined;
    this.#connected = false;
    if (this.#connectTimer !== undefined) this.#o.timer.clear(this.#connectTimer);
    this.#connectTimer = undefined;
    if (close) {
      try {
        client?.close();
      } catch {
        // a client that failed while closing is gone either way
      }
    }
    const error = new Error(`connection lost (${reason})`);
    for (const waiting of this.#inFlight.values()) waiting.reject(error);
    this.#inFlight.clear();
    for (const waiting of this.#queued.splice(0)) waiting.reject(error);
    if (wasConnected) this.#events?.disconnect(reason);
    else this.#o.log.warn(`mqtt: ${reason}`);
    if (retry) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (!this.#network || this.#retry !== undefined) return;
    const delay = this.#o.backoff.next();
    this.#retry = this.#o.timer.set(() => {
      this.#retry = undefined;
      if (this.#network && !this.#client) this.#connect();
    }, delay);
  }

  #cancelRetry(): void {
    if (this.#retry !== undefined) this.#o.timer.clear(this.#retry);
    this.#retry = undefined;
  }
}

function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  return (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()).buffer as ArrayBuffer;
}
