// `npm run bench`: every benchmark of the project, printed and written to bench/results/latest.json.
// Figures, not pass/fail: speed and memory targets are read here, never asserted in timed tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchNodeSigning } from './node-signing.js';
import { benchReadingSize } from './reading-size.js';
import { benchXsSigning, formatXsSigning } from './xs-signing.js';
import { DEVICE_PRECOMPUTE_WINDOW } from '../src/core/signer.js';

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
};

console.log('== Signed reading size (COSE_Sign1, 4 quantities; target <= 120 bytes)');
const size = benchReadingSize();
console.table(size.rows);
results.readingSize = size;

console.log('\n== Node: readings built, encoded and signed per second');
const node = benchNodeSigning();
console.log(`noble (window 8): ${node.readings_per_s.noble_window_8}/s   native node:crypto: ${node.readings_per_s.native_node_crypto}/s   (${node.native_vs_noble}x)`);
results.nodeSigning = node;

console.log('\n== XS (the firmware bundle in the real XS engine)');
const xs = await benchXsSigning();
console.log(formatXsSigning(xs));
console.log(`  device default: W=${DEVICE_PRECOMPUTE_WINDOW} (see docs/PROTOCOL.md, "Signing on the device")`);
results.xsSigning = { ...xs, deviceDefaultWindow: DEVICE_PRECOMPUTE_WINDOW };

const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.json`, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten to bench/results/latest.json`);
