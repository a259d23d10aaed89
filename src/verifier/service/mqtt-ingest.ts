// Ingest from an MQTT broker. With MQTT 5 shared subscriptions ($share/<group>/<filter>, MQTT 5 §4.8.2) several
// verifier processes split the readings between them. A reading is acknowledged (PUBACK) only after its verdict
// is recorded in the ledger: if the process dies first, the broker redelivers it (persistent session) and the
// ledger's duplicate check makes the second delivery harmless. Stopping finishes what is in flight and leaves
// anything newer unacknowledged.
import mqtt, { type MqttClient } from 'mqtt';
import { READINGS_FILTER, nodeTopics } from '../../core/topics.js';
import type { Log } from '../../core/host.js';
import { ingestReport } from '../pipeline.js';
import type { IngestReportV1, VerdictV1 } from '../types.js';
import { encodeVerdictMessage } from '../verdict-message.js';

export interface MqttIngestOptions {
  url: string;
  /** Use an MQTT 5 shared subscription so several verifiers split the load (Mosquitto, EMQX, HiveMQ...). */
  shared: boolean;
  group?: string;
  /**
   * A stable client id: a restarted verifier resumes its persistent session and what the broker queued for it.
   * A new id per start would leave the old session in the shared group, still taking its turn of readings
   * (queued for nobody) until it expires.
   */
  clientId: string;
  /** MQTT 5 session expiry (seconds): how long the broker keeps this verifier's session and queue while it is away. */
  sessionExpiryS?: number;
  log: Log;
  /** Judge and record one input; returns its verdict. Must not throw for bad input (it may throw for a broken ledger). */
  handle: (report: IngestReportV1) => Promise<VerdictV1>;
  /** Called after each verdict (metrics). */
  onVerdict?: (verdict: VerdictV1, latencyMs: number) => void;
  now?: () => number;
}

export class MqttIngest {
  readonly #o: MqttIngestOptions;
  #client: MqttClient | undefined;
  #inFlight = new Set<Promise<void>>();
  #stopping = false;

  constructor(options: MqttIngestOptions) {
    this.#o = options;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get filter(): string {
    return this.#o.shared ? `$share/${this.#o.group ?? 'fieldproof-verifiers'}/${READINGS_FILTER}` : READINGS_FILTER;
  }

  async start(): Promise<void> {
    const now = this.#o.now ?? Date.now;
    const client = mqtt.connect(this.#o.url, {
      clientId: this.#o.clientId,
      clean: false,
      protocolVersion: this.#o.shared ? 5 : 4,
      ...(this.#o.shared ? { properties: { sessionExpiryInterval: this.#o.sessionExpiryS ?? 3600 } } : {}),
      reconnectPeriod: 1000,
    });
    this.#client = client;
    // MQTT.js sends the PUBACK of a QoS 1 message only when handleMessage calls back (MQTT 3.1.1 and 5 alike),
    // so the acknowledgement waits for the verdict to be recorded. Installed before the connection opens, so
    // messages the broker redelivers at connect are covered too.
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') return callback();
      if (this.#stopping) return; // never acknowledged: the broker redelivers it to this session or another verifier
      const receivedAt = now();
      const payload = packet.payload as Buffer;
      const message = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength).slice();
      const work = this.#process(packet.topic, message, receivedAt).then(
        () => callback(),
        (error: Error) => {
          // MQTT.js handles incoming messages one at a time: an unacknowledged one would stall this connection.
          // Drop it instead; MQTT.js reconnects (persistent session) and the broker redelivers the reading.
          this.#o.log.error(`ingest failed, reading left unacknowledged; reconnecting for redelivery: ${error.message}`);
          client.stream.destroy();
        },
      );
      this.#inFlight.add(work);
      void work.finally(() => this.#inFlight.delete(work));
    };
    client.on('error', (e) => this.#o.log.warn(`broker ${this.#o.url}: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(this.filter, { qos: 1 });
    // A broker that comes back without our session (restarted without persistence, or the session expired)
    // has forgotten the subscription, and MQTT.js only resubscribes by itself for clean sessions: do it here,
    // or the verifier would sit connected and hear nothing.
    client.on('connect', (packet) => {
      if (!packet.sessionPresent && !this.#stopping) {
        client.subscribe(this.filter, { qos: 1 }, (error) => {
          if (error) this.#o.log.error(`resubscribing to ${this.filter} after the broker lost the session: ${error.message}`);
        });
      }
    });
  }

  async #process(topic: string, message: Uint8Array, receivedAt: number): Promise<void> {
    const verdict = await this.#o.handle(ingestReport(topic, message, receivedAt));
    this.#o.onVerdict?.(verdict, (this.#o.now ?? Date.now)() - receivedAt);
    this.publishVerdict(verdict);
  }

  /** Tell the device its verdict (again, when the neighbour review revises it). */
  publishVerdict(verdict: VerdictV1): void {
    if (verdict.deviceId && this.#client?.connected) {
      // QoS 0: a verdict is also queryable over HTTP, so a lost notification is not lost information.
      this.#client.publish(nodeTopics(verdict.deviceId).verdicts, Buffer.from(encodeVerdictMessage(verdict)), { qos: 0 });
    }
  }

  /** Finish in-flight readings, leave the rest unacknowledged, disconnect. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping = true;
    const deadline = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.#inFlight]), deadline]);
    await this.#client?.endAsync(false);
  }
}
