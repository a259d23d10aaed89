// An embedded MQTT broker (Aedes) for when no broker URL is given: the desktop node and the demo run
// without installing anything. Aedes speaks MQTT 3.1.1 with QoS 0/1/2, retained messages and last wills.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { FieldproofError } from '../../src/core/errors.js';

export interface EmbeddedBroker {
  url: string;
  port: number;
  broker: Aedes;
  close(): Promise<void>;
  /**
   * Go offline like a restarting broker that keeps its persistence (Mosquitto with `persistence true`): stop
   * listening and drop every connection, but keep sessions, subscriptions and queued QoS 1 messages.
   */
  suspend(): Promise<void>;
  /** Listen again on the same port. */
  resume(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  port?: number;
  host?: string;
  /** When the port is taken, try the next ones (up to this many) instead of failing. Default 0. */
  tryNextPorts?: number;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const first = options.port ?? 1883;
  const tries = options.tryNextPorts ?? 0;
  const broker = await Aedes.createBroker();
  for (let port = first; port <= first + tries; port++) {
    const server = createServer(broker.handle);
    try {
      await listen(server, port, host);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && port < first + tries) continue;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new FieldproofError('FP_E_PORT_IN_USE', `port ${port} on ${host} is in use (another broker?); pass --port, or --broker mqtt://${host}:${port} to use that broker`);
      }
      throw error;
    }
    const actual = (server.address() as { port: number }).port;
    let current: Server | undefined = server;
    const sockets = new Set<Socket>();
    const track = (s: Server) =>
      s.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
    track(server);
    return {
      url: `mqtt://${host}:${actual}`,
      port: actual,
      broker,
      close: async () => {
        if (current) await closeBroker(current, broker);
        else await new Promise<void>((resolve) => broker.close(() => resolve()));
        current = undefined;
      },
      suspend: async () => {
        if (!current) return;
        const closing = new Promise<void>((resolve) => current!.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closing;
        current = undefined;
      },
      resume: async () => {
        if (current) return;
        const next = createServer(broker.handle);
        track(next);
        await listen(next, actual, host);
        current = next;
      },
    };
  }
  throw new Error('unreachable');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function closeBroker(server: Server, broker: Aedes): Promise<void> {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
