import type { Command } from 'commander';
import { openDesktopNode } from '../../hosts/node/desktop-node.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../hosts/node/embedded-broker.js';
import { readConfigFile, resolveNodeConfig, type DesktopNodeConfig } from '../../hosts/node/node-config.js';
import { consoleLog } from './console-log.js';
import { onShutdown } from './shutdown.js';

export function registerNode(program: Command): void {
  program
    .command('node')
    .description('run one desktop node: simulated sensors, signed readings, file outbox, MQTT')
    .option('-c, --config <file>', 'JSON config file (fields: dataDir, broker, intervalS, kind, signer, outboxCapacity, longitude, embeddedPort)')
    .option('-b, --broker <url>', 'MQTT broker URL (default: start an embedded broker)')
    .option('-d, --data-dir <dir>', 'where the key, sequence record and outbox live')
    .option('-i, --interval <seconds>', 'sampling interval in seconds', Number)
    .option('-k, --kind <kind>', 'weather or air')
    .option('--signer <signer>', 'native (node:crypto) or noble (the device signer)')
    .option('-p, --port <port>', 'port of the embedded broker', Number)
    .action(async (opts: { config?: string; broker?: string; dataDir?: string; interval?: number; kind?: string; signer?: string; port?: number }) => {
      const file = opts.config ? readConfigFile(opts.config) : {};
      const flags: Partial<DesktopNodeConfig> = {
        broker: opts.broker,
        dataDir: opts.dataDir,
        intervalS: opts.interval,
        kind: opts.kind as DesktopNodeConfig['kind'],
        signer: opts.signer as DesktopNodeConfig['signer'],
        embeddedPort: opts.port,
      };
      const config = resolveNodeConfig(file, flags);
      const log = consoleLog('');
      let broker: EmbeddedBroker | undefined;
      if (!config.broker) {
        broker = await startEmbeddedBroker({ port: config.embeddedPort });
        log.info(`embedded MQTT broker on ${broker.url}`);
      }
      const running = openDesktopNode({ ...config, broker: config.broker ?? broker!.url }, { log });
      log.info(`node ${running.node.deviceIdHex} (${config.kind}) every ${config.intervalS}s -> ${config.broker ?? broker!.url}; data in ${config.dataDir}`);
      log.info(`readings on ${running.node.topics.readings}; Ctrl-C to stop`);
      await onShutdown(async () => {
        await running.close();
        await broker?.close();
      });
    });
}
