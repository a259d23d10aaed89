// How simulated boards reach the broker. A real board has a connection of its own, and so does a simulated one by
// default (with its own signed last will). Ten thousand connections opened at once from one process is another
// matter: MQTT.js and the broker spend minutes on the handshakes alone, and the operating system's file limit
// comes close. Above a threshold the boards share a pool of connections instead: each board still publishes
// through a Transport of its own (QoS 1, acknowledged per message, its messages in order on one connection),
// only the socket is shared, and there is no per-board last will.
import type { Log, PublishOptions, Transport, TransportEvents } from '../core/host.js';
import { MqttTransport } from '../../hosts/node/mqtt-transport.js';

/** One board's link: a Transport plus what the simulator needs to start, stop and watch it. */
export interface BrokerLink {
  transport: Transport;
  readonly connected: boolean;
  connect(): void;
  close(): Promise<void>;
}

export interface BrokerLinks {
  /** The link for one board (clientId names it on the broker when it has a connection of its own). */
  link(clientId: string, name: string): BrokerLink;
  /** Connections open or being opened. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A board's log: only errors reach the fleet's log, named by board. */
export const quietLog = (log: Log, name: string): Log => ({ info() {}, warn() {}, error: (m) => log.error(`[${name}] ${m}`) });

/** A connection per board. */
export function ownConnections(url: string, log: Log): BrokerLinks {
  let count = 0;
  return {
    link(clientId, name) {
      const mqtt = new MqttTransport({ url, clientId, log: quietLog(log, name), minBackoffMs: 200, maxBackoffMs: 2000 });
      count++;
      return {
        transport: mqtt,
        get connected() {
          return mqtt.connected;
        },
        connect: () => mqtt.connect(),
        close: () => mqtt.close(),
      };
    },
    get connections() {
      return count;
    },
    close: async () => {},
  };
}

/** Boards share `Math.ceil(boards / perConnection)` connections, assigned in turn. */
export function pooledConnections(url: string, log: Log, options: { perConnection: number; clientIdPrefix: string }): BrokerLinks {
  if (!Number.isInteger(options.perConnection) || options.perConnection < 1) throw new RangeError('perConnection: a positive integer');
  const slots: { mqtt: MqttTransport; views: Set<PooledTransport>; users: number; started: boolean }[] = [];
  const slotFor = () => {
    let slot = slots[slots.length - 1];
    if (!slot || slot.users >= options.perConnection) {
      const mqtt = new MqttTransport({ url, clientId: `${options.clientIdPrefix}-${slots.length}`, log: quietLog(log, `pool ${slots.length}`), minBackoffMs: 200, maxBackoffMs: 2000 });
      const views = new Set<PooledTransport>();
      // Fan the connection's events out to every board on it.
      mqtt.setEvents({ connect: () => views.forEach((v) => v.events?.connect()), disconnect: (r) => views.forEach((v) => v.events?.disconnect(r)) });
      slots.push((slot = { mqtt, views, users: 0, started: false }));
    }
    slot.users++;
    return slot;
  };
  return {
    link() {
      const slot = slotFor();
      const view = new PooledTransport(slot.mqtt);
      slot.views.add(view);
      return {
        transport: view,
        get connected() {
          return slot.mqtt.connected;
        },
        connect: () => {
          if (!slot.started) slot.mqtt.connect();
          slot.started = true;
        },
        close: async () => {
          slot.views.delete(view);
        },
      };
    },
    get connections() {
      return slots.length;
    },
    close: async () => {
      await Promise.all(slots.map((s) => s.mqtt.close()));
    },
  };
}

/** One board's view of a shared connection. */
class PooledTransport implements Transport {
  events: TransportEvents | undefined;
  readonly #shared: MqttTransport;
  constructor(shared: MqttTransport) {
    this.#shared = shared;
  }
  get connected(): boolean {
    return this.#shared.connected;
  }
  setEvents(events: TransportEvents): void {
    this.events = events;
  }
  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void> {
    return this.#shared.publish(topic, payload, options);
  }
}
