// MQTT transport of the desktop host on MQTT.js: QoS 1, persistent session (clean: false with a stable client
// id, MQTT 3.1.1 §3.1.2.4), reconnect with exponential backoff and jitter, and a retained last will.
// The core's outbox is the only queue: publish() refuses while offline instead of letting MQTT.js queue too.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { FieldproofError } from '../../src/core/errors.js';
import type { Log, PublishOptions, Transport, TransportEvents } from '../../src/core/host.js';

export interface MqttTransportOptions {
  url: string;
  clientId: string;
  /** Retained last-will status (the node's signed offline status), built at connect() and again before each reconnect. */
  will?: () => { topic: string; payload: Uint8Array };
  log: Log;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
  username?: string;
  password?: string;
  /** 4 = MQTT 3.1.1 (default, every broker), 5 = MQTT 5. */
  protocolVersion?: 4 | 5;
  /** Extra TLS options for mqtts:// (ca, cert, key, rejectUnauthorized). */
  tls?: Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
}

export function parseBrokerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FieldproofError('FP_E_BROKER_URL', `"${url}" is not a URL; expected mqtt://host:port or mqtts://host:port`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new FieldproofError('FP_E_BROKER_URL', `"${url}" has protocol ${parsed.protocol}; expected mqtt:, mqtts:, ws: or wss:`);
  }
  return parsed;
}

export class MqttTransport implements Transport {
  #client: MqttClient | undefined;
  readonly #options: MqttTransportOptions;
  #events: TransportEvents | undefined;
  readonly #log: Log;
  readonly #minBackoff: number;
  readonly #maxBackoff: number;
  #backoff: number;
  #failures = 0;
  #closed = false;

  constructor(options: MqttTransportOptions) {
    parseBrokerUrl(options.url);
    this.#options = options;
    this.#log = options.log;
    this.#minBackoff = options.minBackoffMs ?? 1000;
    this.#maxBackoff = options.maxBackoffMs ?? 60_000;
    this.#backoff = this.#minBackoff;
  }

  get client(): MqttClient {
    if (!this.#client) throw new Error('transport not connected yet: call connect()');
    return this.#client;
  }

  /** Start connecting (and keep reconnecting). Separate from the constructor so the will can be built first. */
  connect(): void {
    if (this.#client) return;
    const options = this.#options;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      clean: false,
      protocolVersion: options.protocolVersion ?? 4,
      reconnectPeriod: this.#minBackoff,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      resubscribe: true,
      ...(options.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
      ...(options.username !== undefined ? { username: options.username, password: options.password } : {}),
      ...(options.tls ?? {}),
    };
    if (options.will) {
      const will = options.will();
      clientOptions.will = { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true };
    }
    this.#client = mqtt.connect(options.url, clientOptions);
    this.client.on('connect', () => {
      if (this.#failures > 0) this.#log.info(`broker ${options.url} reachable again after ${this.#failures} failed attempt(s)`);
      this.#failures = 0;
      this.#backoff = this.#minBackoff;
      this.client.options.reconnectPeriod = this.#minBackoff;
      this.#events?.connect();
    });
    this.client.on('close', () => {
      if (this.#closed) return;
      // MQTT.js sends options.will in every CONNECT: refresh it so the will describes the node as it is now.
      if (options.will && this.#client) {
        const will = options.will();
        this.#client.options.will = { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true };
      }
      this.#failures++;
      // Exponential backoff with jitter: MQTT.js reads reconnectPeriod each time it schedules a reconnect.
      this.#backoff = Math.min(this.#maxBackoff, this.#backoff * 2);
      this.client.options.reconnectPeriod = Math.round(this.#backoff * (0.75 + Math.random() * 0.5));
      this.#events?.disconnect(`connection to ${options.url} closed`);
    });
    this.client.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      const unreachable = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT';
      const prefix = unreachable ? 'FP_E_BROKER_UNREACHABLE: ' : '';
      // Say it once, then every 10th attempt, so a long outage does not flood the log.
      if (this.#failures <= 1 || this.#failures % 10 === 0) {
        this.#log.warn(`${prefix}broker ${options.url}: ${error.message}; retrying with backoff, readings stay in the outbox`);
      }
    });
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  setEvents(events: TransportEvents): void {
    this.#events = events;
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void> {
    if (!this.#client?.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      this.client.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: options.qos, retain: options.retain ?? false }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  /** Close; with `graceful` the last will is not sent (a clean shutdown publishes its own offline status first). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#client?.endAsync(false);
  }
}
