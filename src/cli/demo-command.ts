import { join } from 'node:path';
import type { Command } from 'commander';
import { openDesktopNode, type DesktopNode } from '../../hosts/node/desktop-node.js';
import { startEmbeddedBroker } from '../../hosts/node/embedded-broker.js';
import { createNativeVerifier } from '../../hosts/node/native-signer.js';
import { resolveNodeConfig } from '../../hosts/node/node-config.js';
import { consoleLog } from './console-log.js';
import { formatReading, watchReadings } from './reading-watch.js';
import { onShutdown } from './shutdown.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('embedded broker + a few desktop nodes + a watcher that checks every signed reading (npm start)')
    .option('-n, --nodes <count>', 'how many nodes', Number, 3)
    .option('-i, --interval <seconds>', 'sampling interval in seconds', Number, 5)
    .option('-d, --data-dir <dir>', 'where the nodes keep keys and outboxes (kept between runs)', '.fieldproof/demo')
    .option('-p, --port <port>', 'embedded broker port (the next free one is taken if busy)', Number, 1883)
    .option('--duration <seconds>', 'stop after this many seconds (default: run until Ctrl-C)', Number)
    .action(async (opts: { nodes: number; interval: number; dataDir: string; port: number; duration?: number }) => {
      if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 1000) throw new RangeError('--nodes: an integer from 1 to 1000');
      const log = consoleLog('');
      const broker = await startEmbeddedBroker({ port: opts.port, tryNextPorts: 20 });
      if (broker.port !== opts.port) log.info(`port ${opts.port} is in use; the embedded broker took ${broker.port} instead`);
      log.info(`embedded MQTT broker on ${broker.url}`);
      const verify = createNativeVerifier();
      const watch = await watchReadings(broker.url, verify, (e) => {
        if (e.kind === 'reading') log.info(formatReading(e));
        else if (e.kind === 'status') log.info(`${e.deviceId} is ${e.online ? 'online' : 'offline'} (outbox ${e.outbox})`);
        else log.warn(`rejected on ${e.topic}: ${e.reason} (${e.detail})`);
      });
      const nodes: DesktopNode[] = [];
      for (let i = 0; i < opts.nodes; i++) {
        const config = resolveNodeConfig({
          dataDir: join(opts.dataDir, `node-${i}`),
          intervalS: opts.interval,
          kind: i % 2 === 0 ? 'weather' : 'air',
          longitude: -120 + i * 30,
        });
        const running = openDesktopNode({ ...config, broker: broker.url }, { log: consoleLog(`[node ${i}] `, true) });
        nodes.push(running);
        log.info(`node ${i}: ${running.node.deviceIdHex} (${config.kind}), data in ${config.dataDir}`);
      }
      log.info(`${nodes.length} node(s) signing a reading every ${opts.interval}s; Ctrl-C to stop`);
      const stop = async () => {
        await Promise.all(nodes.map((n) => n.close()));
        await watch.close();
        await broker.close();
        log.info('stopped; keys, sequence numbers and outboxes are kept for the next run');
      };
      if (opts.duration !== undefined) {
        await new Promise((r) => setTimeout(r, opts.duration! * 1000));
        await stop();
      } else {
        await onShutdown(stop);
      }
    });
}
