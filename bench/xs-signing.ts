// What signing costs in Moddable's XS engine, per noble precompute window: XS meter units (compute) per signed
// reading, the one-off cost of building the base-point table, and the live XS heap slots it takes.
// Runs the firmware bundle in xsnap workers (test/helpers/xs-core.ts), one fresh worker per window so a table
// built for one window does not stay in the heap of the next.
//   npm run build --silent && node dist/bench/xs-signing.js
// Meter units are XS's own count of work (bytecodes plus weighted native calls), the same on every host, so they
// compare windows and versions; they are not microseconds on an ESP32. Heap slots are 16 bytes each on the ESP32
// (32-bit XS); BigInt digits live outside the slots, in XS "chunks", which xsnap does not report.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startXsCore, type XsCore, type XsMeter } from '../test/helpers/xs-core.js';

// RFC 8032 §7.1 TEST 1 secret key (also in test/vectors/golden-readings.json).
const KEY_A = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
/** A typical Sig_structure: ["Signature1", h'a10127', h'', 42-byte reading] is 62 bytes. */
const BARE_MESSAGE = '846a5369676e61747572653143a1012740582a' + 'a5'.repeat(42);
/** Ed25519 scalars are 253 bits (noble's Fn.BITS); without an RNG in XS noble does not blind, so tables cover 253. */
const SCALAR_BITS = 253;
/** Bytes per XS slot on the ESP32 (32-bit build). */
export const ESP32_SLOT_BYTES = 16;

export interface XsSigningWindow {
  window: number;
  /** Points in noble's base-point table: (ceil(253/W) + 1) * 2^(W-1); none for W=1. */
  tablePoints: number;
  /** Meter units. */
  compute: {
    /** Evaluating the firmware bundle (loading the core). */
    loadBundle: number;
    /** First base-point multiplication after setting the window: builds the table, then multiplies. */
    firstBaseMultiply: number;
    /** A base-point multiplication with the table in place (publicKeyOf). */
    baseMultiply: number;
    /** firstBaseMultiply - baseMultiply: the one-off cost of the table. */
    tableBuild: number;
    /** Signer, storage, sequence, outbox, sampler, FieldNode (the table already exists). */
    nodeSetup: number;
    /** The first FieldNode.cycle() (the warm-up reading). */
    firstReading: number;
    /** Average of FieldNode.cycle() + outbox drain over `readings` readings: sample, encode, sign, store, publish. */
    perReading: number;
    /** Average of signer.sign() alone over `readings` signatures of a 62-byte Sig_structure. */
    perSignature: number;
  };
  /** Live XS slots, each measured right after a full garbage collection. */
  heapSlots: {
    afterLoad: number;
    afterSetup: number;
    afterSigning: number;
    /** afterSetup - afterLoad: table, key, node. */
    setup: number;
  };
  /** xsnap `allocate`: bytes the XS machine has taken from the OS so far (grows in large steps). */
  allocate: { afterLoad: number; afterSigning: number };
}

export interface XsSigningReport {
  engine: string;
  readings: number;
  windows: XsSigningWindow[];
  /** Window of the smallest per-reading cost, and extra slots per table point relative to W=1 (if measured). */
  notes: string[];
}

export function tablePoints(window: number, bits = SCALAR_BITS): number {
  return window === 1 ? 0 : (Math.ceil(bits / window) + 1) * 2 ** (window - 1);
}

async function heapAfterGc(xs: XsCore): Promise<XsMeter> {
  return (await xs.call('gc')).meter;
}

async function measureWindow(window: number, readings: number): Promise<XsSigningWindow> {
  const xs = await startXsCore({ name: `bench-xs-signing-w${window}` });
  try {
    const loaded = await heapAfterGc(xs);
    await xs.call('setWindow', { window });
    // The same key twice: the only difference between the two calls is the table build.
    const first = await xs.call('publicKey', { secretKey: KEY_A });
    const again = await xs.call('publicKey', { secretKey: KEY_A });
    const setup = await xs.call('setup', { secretKey: KEY_A }); // keeps the window set above
    const afterSetup = await heapAfterGc(xs);
    const warm = await xs.call('cycle', { count: 1 });
    const many = await xs.call('cycle', { count: readings });
    const bare = await xs.call('signBare', { count: readings, message: BARE_MESSAGE });
    const afterSigning = await heapAfterGc(xs);
    return {
      window,
      tablePoints: tablePoints(window),
      compute: {
        loadBundle: xs.load.compute,
        firstBaseMultiply: first.meter.compute,
        baseMultiply: again.meter.compute,
        tableBuild: first.meter.compute - again.meter.compute,
        nodeSetup: setup.meter.compute,
        firstReading: warm.meter.compute,
        perReading: Math.round(many.meter.compute / readings),
        perSignature: Math.round(bare.meter.compute / readings),
      },
      heapSlots: {
        afterLoad: loaded.currentHeapCount,
        afterSetup: afterSetup.currentHeapCount,
        afterSigning: afterSigning.currentHeapCount,
        setup: afterSetup.currentHeapCount - loaded.currentHeapCount,
      },
      allocate: { afterLoad: loaded.allocate, afterSigning: afterSigning.allocate },
    };
  } finally {
    await xs.close();
  }
}

export async function benchXsSigning(options: { windows?: number[]; readings?: number } = {}): Promise<XsSigningReport> {
  const windows = options.windows ?? [1, 4, 6, 8];
  const readings = options.readings ?? 20;
  const results: XsSigningWindow[] = [];
  for (const window of windows) results.push(await measureWindow(window, readings));

  const notes: string[] = [];
  const best = results.reduce((a, b) => (b.compute.perReading < a.compute.perReading ? b : a));
  notes.push(`cheapest per reading: W=${best.window} (${best.compute.perReading} meter units)`);
  const base = results.find((r) => r.window === 1);
  for (const r of results) {
    if (!base || r.tablePoints === 0) continue;
    const perPoint = (r.heapSlots.setup - base.heapSlots.setup) / r.tablePoints;
    notes.push(`W=${r.window}: ${perPoint.toFixed(2)} extra slots per table point (${Math.round(perPoint * r.tablePoints * ESP32_SLOT_BYTES / 1024)} KiB of slots on an ESP32, BigInt chunks not included)`);
  }
  return { engine: 'XS (xsnap, @agoric/xsnap), firmware bundle dist/firmware/fieldproof-core.js', readings, windows: results, notes };
}

export function formatXsSigning(report: XsSigningReport): string {
  const header = ['W', 'table pts', 'table build', '1st reading', 'per reading', 'per sig', 'slots load', 'slots setup', 'slots signed', 'Δ setup'];
  const rows = report.windows.map((r) => [
    r.window,
    r.tablePoints,
    r.compute.tableBuild,
    r.compute.firstReading,
    r.compute.perReading,
    r.compute.perSignature,
    r.heapSlots.afterLoad,
    r.heapSlots.afterSetup,
    r.heapSlots.afterSigning,
    r.heapSlots.setup,
  ].map((n) => n.toLocaleString('en-US')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [
    `XS signing (meter units; slots after a full GC; ${report.readings} readings averaged after 1 warm-up; one worker per window)`,
    line(header),
    ...rows.map(line),
    ...report.notes.map((n) => `  ${n}`),
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchXsSigning()
    .then((report) => console.log(formatXsSigning(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
