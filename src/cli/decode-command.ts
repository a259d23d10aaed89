import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fromHex, toHex } from '../core/bytes.js';
import { decodeSign1, verifySign1 } from '../core/cose-sign1.js';
import { decodeReading } from '../core/reading.js';
import { createSodiumVerifier } from '../../hosts/node/sodium-verifier.js';

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode a signed reading (COSE_Sign1) and, given the public key, check its signature')
    .argument('<reading>', 'hex of the message, or @file with the raw bytes')
    .option('--public-key <hex>', "the device's Ed25519 public key (32 bytes hex)")
    .action((input: string, opts: { publicKey?: string }) => {
      const bytes = input.startsWith('@') ? new Uint8Array(readFileSync(input.slice(1))) : fromHex(input.trim());
      const envelope = decodeSign1(bytes);
      if (!envelope.ok) throw new Error(`not a valid reading envelope: ${envelope.reason} (${envelope.detail})`);
      const decoded = decodeReading(envelope.parts.payload);
      if (!decoded.ok) throw new Error(`not a valid reading payload: ${decoded.reason} (${decoded.detail})`);
      const r = decoded.reading;
      const out: Record<string, unknown> = {
        bytes: bytes.length,
        deviceId: toHex(r.deviceId),
        seq: r.seq,
        time: new Date(r.time * 1000).toISOString(),
        measurements: r.measurements,
        firmware: toHex(r.firmware),
        flags: r.flags,
      };
      if (opts.publicKey) out.signature = verifySign1(envelope.parts, fromHex(opts.publicKey), createSodiumVerifier()) ? 'valid' : 'INVALID';
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      if (out.signature === 'INVALID') process.exitCode = 1;
    });
}
