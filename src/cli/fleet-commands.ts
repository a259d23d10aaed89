// Bench-side provisioning: a manufacturer's fleet key attests devices; the owner registers them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { fromHex, toHex } from '../core/bytes.js';
import { loadOrCreateKey, readKey } from '../../hosts/node/key-file.js';
import { createNativeSigner } from '../../hosts/node/native-signer.js';
import { signAttestation } from '../verifier/registry/attestation.js';
import { signOwnershipClaim } from '../verifier/registry/ownership-claim.js';
import { registerProvisionSerial } from './provision-serial.js';
import { requestNonce, submitRegistration } from './verifier-client.js';

export function registerFleetCommands(program: Command): void {
  registerProvisionSerial(program);
  const fleet = program.command('fleet').description('manufacturer fleet key');
  fleet
    .command('init')
    .description('create a fleet key (kept secret by the manufacturer) and print its public key for the verifier config')
    .option('-o, --out <file>', 'where to write it', 'fleet-key.json')
    .action((opts: { out: string }) => {
      if (existsSync(opts.out)) throw new Error(`${opts.out} exists; refusing to overwrite a fleet key`);
      const key = loadOrCreateKey(opts.out, { create: true, kind: 'fieldproof-fleet-key' });
      process.stdout.write(`fleet public key: ${toHex(key.publicKey)}\n(add it to the verifier's trustedFleetKeys; keep ${opts.out} secret)\n`);
    });

  program
    .command('provision')
    .description("sign a device's manufacturer attestation with the fleet key (on the bench, after first boot)")
    .requiredOption('--fleet-key <file>', 'fleet key file (fieldproof fleet init)')
    .option('--node-data-dir <dir>', 'data directory of a desktop node (reads its key.json, writes attestation.hex)')
    .option('--device-public-key <hex>', 'the device public key, as printed on its serial console or in its status')
    .requiredOption('--model <model>', 'device model, e.g. esp32-bme280')
    .requiredOption('--sensors <kinds>', 'comma-separated sensor kinds, e.g. bme280,pms5003')
    .action((opts: { fleetKey: string; nodeDataDir?: string; devicePublicKey?: string; model: string; sensors: string }) => {
      const fleetKey = readKey(opts.fleetKey, 'fieldproof-fleet-key');
      const publicKey = opts.devicePublicKey
        ? fromHex(opts.devicePublicKey)
        : opts.nodeDataDir
          ? readKey(join(opts.nodeDataDir, 'key.json')).publicKey
          : undefined;
      if (!publicKey || publicKey.length !== 32) throw new Error('give --node-data-dir or --device-public-key (64 hex digits)');
      const attestation = signAttestation(createNativeSigner(fleetKey.secretKey), { publicKey, model: opts.model, sensorKinds: opts.sensors.split(',') }, Math.floor(Date.now() / 1000));
      if (opts.nodeDataDir) writeFileSync(join(opts.nodeDataDir, 'attestation.hex'), toHex(attestation) + '\n');
      process.stdout.write(`${toHex(attestation)}\n`);
    });

  program
    .command('register')
    .description('register a desktop node with a verifier: its attestation plus a claim signed by the node key (proof of possession)')
    .requiredOption('--verifier <url>', 'verifier HTTP URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--node-data-dir <dir>', 'the node data directory (key.json and attestation.hex)')
    .requiredOption('--owner <address>', 'payout address (0x + 40 hex)')
    .requiredOption('--lat <deg>', 'latitude of the site', Number)
    .requiredOption('--lon <deg>', 'longitude of the site', Number)
    .action(async (opts: { verifier: string; nodeDataDir: string; owner: string; lat: number; lon: number }) => {
      const key = readKey(join(opts.nodeDataDir, 'key.json'));
      const attestationPath = join(opts.nodeDataDir, 'attestation.hex');
      if (!existsSync(attestationPath)) throw new Error(`${attestationPath} is missing: run fieldproof provision first`);
      const nonce = await requestNonce(opts.verifier);
      const claim = signOwnershipClaim(createNativeSigner(key.secretKey), { owner: opts.owner, nonce, location: { lat: opts.lat, lon: opts.lon }, signedAt: Math.floor(Date.now() / 1000) });
      const body = await submitRegistration(opts.verifier, fromHex(readFileSync(attestationPath, 'utf8').trim()), claim);
      process.stdout.write(`registered ${body.deviceId} for ${opts.owner}\n`);
    });
}
