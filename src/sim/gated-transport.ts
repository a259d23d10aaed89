// A transport between a simulated node and its real MQTT connection that the simulator can cut (the node's Wi-Fi
// goes down for hours) and tap (an attacker on the network sees what the node publishes). While cut, the node
// sees a disconnected transport, so its readings wait in its outbox, flagged backfilled, as on a real board.
import type { PublishOptions, Transport, TransportEvents } from '../core/host.js';

export class GatedTransport implements Transport {
  readonly inner: Transport;
  #open = true;
  #events: TransportEvents | undefined;
  #inFlight = 0;
  /** Called with every message the broker acknowledged. */
  onDelivered: ((topic: string, payload: Uint8Array) => void) | undefined;

  constructor(inner: Transport) {
    this.inner = inner;
    inner.setEvents({
      connect: () => {
        if (this.#open) this.#events?.connect();
      },
      disconnect: (reason) => {
        if (this.#open) this.#events?.disconnect(reason);
      },
    });
  }

  get connected(): boolean {
    return this.#open && this.inner.connected;
  }

  /** Publishes sent and not yet acknowledged or failed. */
  get inFlight(): number {
    return this.#inFlight;
  }

  get open(): boolean {
    return this.#open;
  }

  setEvents(events: TransportEvents): void {
    this.#events = events;
  }

  /** Cut the node off (true) or bring it back (false). */
  setCut(cut: boolean): void {
    if (this.#open === !cut) return;
    this.#open = !cut;
    if (cut) this.#events?.disconnect('simulated network outage');
    else if (this.inner.connected) this.#events?.connect();
  }

  async publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void> {
    if (!this.#open) throw new Error('simulated network outage');
    this.#inFlight++;
    try {
      await this.inner.publish(topic, payload, options);
      this.onDelivered?.(topic, payload);
    } finally {
      this.#inFlight--;
    }
  }
}
