import type { Command } from 'commander';
import { readVerifierConfigFile, resolveVerifierConfig, type VerifierConfigInput } from '../verifier/verifier-config.js';
import { startVerifier } from '../verifier/verifier-service.js';
import { consoleLog } from './console-log.js';
import { onShutdown } from './shutdown.js';

export function registerVerifier(program: Command): void {
  program
    .command('verifier')
    .description('run the verifier: a verdict for every reading, the ledger, epoch settlements, HTTP API and /metrics')
    .option('-c, --config <file>', 'JSON config (dataDir, database, broker, brokerPort, httpPort, trustedFleetKeys, rewards, quality, time, ...)')
    .option('-b, --broker <url>', 'MQTT broker URL (MQTT 5 shared subscription); default: an embedded broker')
    .option('--broker-port <port>', 'port of the embedded broker', Number)
    .option('--database <url>', 'postgresql:// URL; default: SQLite in the data directory')
    .option('-d, --data-dir <dir>', 'data directory of the embedded ledger')
    .option('-p, --port <port>', 'HTTP port', Number)
    .option('--fleet-key <hex...>', 'trusted fleet public key(s) for device attestations')
    .option('--client-id <id>', 'MQTT client id, stable across restarts and distinct per verifier (default fp-verifier-<host>-<port>)')
    .option('--group <name>', 'shared-subscription group of this deployment (default fieldproof-verifiers)')
    .action(async (opts: { config?: string; broker?: string; brokerPort?: number; database?: string; dataDir?: string; port?: number; fleetKey?: string[]; clientId?: string; group?: string }) => {
      const file = opts.config ? readVerifierConfigFile(opts.config) : {};
      const flags: VerifierConfigInput = {
        broker: opts.broker,
        brokerPort: opts.brokerPort,
        database: opts.database,
        dataDir: opts.dataDir,
        httpPort: opts.port,
        trustedFleetKeys: opts.fleetKey,
        clientId: opts.clientId,
        sharedGroup: opts.group,
      };
      const config = resolveVerifierConfig(file, flags);
      const log = consoleLog('');
      const running = await startVerifier(config, log);
      log.info('Ctrl-C to stop (in-flight readings finish; the rest stay unacknowledged at the broker)');
      await onShutdown(() => running.stop());
    });
}
