// The firmware's memory budget, measured in the real XS engine (xsnap) with the device precompute window, and the
// XS meter units of each step of a reading cycle.
//   npm run build --silent && node dist/bench/xs-memory.js
// Memory: live slots and live chunk bytes from heap snapshots (test/helpers/xs-core.ts, parseSnapshotHeap), each
// after a full collection, as deltas between steps:
//   core bundle    evaluating dist/firmware/fieldproof-core.js: what preloading moves from RAM to flash
//   signing key    the signer with its window (W=1: no table)
//   device boot    FieldDevice.start(): key, sequence, flash outbox index, MQTT transport, node, Wi-Fi, SNTP, LED
//   online, 10 min Wi-Fi, SNTP, MQTT connected, 10 readings signed, published and acknowledged
// Slot counts are the same on the ESP32; chunk bytes are xsnap's 64-bit figures (chunk headers and array items are
// half as large on the 32-bit ESP32, strings and BigInt digits the same), so they bound the device's from above.
// The nodemcu budget (manifest.json creation): 4,928 slots of 16 bytes, 78,848 chunk bytes.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVICE_PRECOMPUTE_WINDOW } from '../src/core/signer.js';
import { startXsCore, type XsHeap } from '../test/helpers/xs-core.js';

const KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'; // RFC 8032 §7.1 TEST 1
const CONFIG = { v: 1, wifiSsid: 'bench', wifiPassword: 'correct horse', broker: 'mqtt://10.0.0.2', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: 1_767_225_600 };
export const NODEMCU_BUDGET = Object.freeze({ slots: 4928, chunkBytes: 78_848 });

export interface MemoryPart {
  part: string;
  slots: number;
  chunkBytes: number;
}

export interface XsMemoryReport {
  window: number;
  /** What preloading moves to flash (not counted against the RAM budget on the device). */
  bundle: MemoryPart & { computeToLoad: number };
  /** RAM at run time, by step. */
  runtime: MemoryPart[];
  runtimeTotal: { slots: number; chunkBytes: number; slotShareOfNodemcu: number; chunkShareOfNodemcu: number };
  /** XS meter units per reading, by step, averaged over `readings`. */
  cycle: Record<'sample' | 'encode' | 'sign' | 'outboxAppend' | 'outboxRemove' | 'fullCycle', number>;
  readings: number;
  messageBytes: number;
}

const delta = (part: string, from: XsHeap, to: XsHeap): MemoryPart => ({ part, slots: to.slots - from.slots, chunkBytes: to.chunkBytes - from.chunkBytes });

export async function benchXsMemory(options: { readings?: number } = {}): Promise<XsMemoryReport> {
  const readings = options.readings ?? 20;
  const window = DEVICE_PRECOMPUTE_WINDOW;
  const runtime: MemoryPart[] = [];
  let bundle: XsMemoryReport['bundle'];
  // Memory: one worker walked through the boot.
  {
    const xs = await startXsCore({ name: 'bench-xs-memory', measureHeap: true });
    try {
      const { before, after } = xs.loadHeap!;
      bundle = { ...delta('core bundle (preloaded to flash on the device)', before, after), computeToLoad: xs.load.compute };
      const base = await xs.heap();
      await xs.call('setWindow', { window });
      await xs.call('publicKey', { secretKey: KEY });
      const keyed = await xs.heap();
      runtime.push(delta(`signing, window ${window}`, base, keyed));
      // The emulated partition (16 sectors in an ArrayBuffer) is a test fixture; on the device it is flash.
      await xs.call('deviceBoard', { sectors: 16 });
      const boardReady = await xs.heap();
      await xs.call('deviceBoot', { config: CONFIG, sntpSeconds: 1_767_229_200, keepBoard: true });
      const booted = await xs.heap();
      runtime.push(delta('device boot (key, sequence, flash outbox, MQTT transport, node, Wi-Fi, SNTP, LED)', boardReady, booted));
      await xs.call('deviceOnline');
      await xs.call('deviceAdvance', { ms: 10 * 60_000 });
      await xs.call('devicePublished');
      const running = await xs.heap();
      runtime.push(delta('online, 10 readings published and acknowledged', booted, running));
    } finally {
      await xs.close();
    }
  }
  // Meter units: a fresh worker, each step alone.
  const cycle = {} as XsMemoryReport['cycle'];
  let messageBytes = 0;
  {
    const xs = await startXsCore({ name: 'bench-xs-cycle' });
    try {
      messageBytes = (await xs.call<{ messageBytes: number }>('partsSetup', { secretKey: KEY, window })).result.messageBytes;
      const per = async (op: string) => Math.round((await xs.call(op, { count: readings })).meter.compute / readings);
      await xs.call('partSign', { count: 1 }); // warm-up
      cycle.sample = await per('partSample');
      cycle.encode = await per('partEncode');
      cycle.sign = await per('partSign');
      cycle.outboxAppend = await per('partOutboxAppend');
      cycle.outboxRemove = await per('partOutboxRemove');
      await xs.call('deviceBoot', { config: CONFIG, sntpSeconds: 1_767_229_200, sectors: 64 });
      await xs.call('deviceOnline');
      await xs.call('deviceCycle', { count: 1 });
      cycle.fullCycle = await per('deviceCycle');
    } finally {
      await xs.close();
    }
  }
  const slots = runtime.reduce((a, p) => a + p.slots, 0);
  const chunkBytes = runtime.reduce((a, p) => a + p.chunkBytes, 0);
  return {
    window,
    bundle: bundle!,
    runtime,
    runtimeTotal: {
      slots,
      chunkBytes,
      slotShareOfNodemcu: Math.round((slots / NODEMCU_BUDGET.slots) * 1000) / 10,
      chunkShareOfNodemcu: Math.round((chunkBytes / NODEMCU_BUDGET.chunkBytes) * 1000) / 10,
    },
    cycle,
    readings,
    messageBytes,
  };
}

export function formatXsMemory(r: XsMemoryReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rows = [
    [r.bundle.part, n(r.bundle.slots), n(r.bundle.chunkBytes)],
    ...r.runtime.map((p) => [p.part, n(p.slots), n(p.chunkBytes)]),
    ['run-time total (RAM)', n(r.runtimeTotal.slots), n(r.runtimeTotal.chunkBytes)],
    [`nodemcu budget (creation)`, n(NODEMCU_BUDGET.slots), n(NODEMCU_BUDGET.chunkBytes)],
  ];
  const w0 = Math.max(...rows.map((x) => x[0]!.length));
  const w1 = Math.max(5, ...rows.map((x) => x[1]!.length));
  const lines = rows.map((x) => `${x[0]!.padEnd(w0)}  ${x[1]!.padStart(w1)} slots  ${x[2]!.padStart(9)} chunk bytes`);
  return [
    `XS memory by part (window ${r.window}; live after a full GC; chunk bytes as 64-bit xsnap counts them)`,
    ...lines,
    `  run time uses ${r.runtimeTotal.slotShareOfNodemcu} % of the nodemcu slot heap and ${r.runtimeTotal.chunkShareOfNodemcu} % of its chunk heap; loading the bundle costs ${n(r.bundle.computeToLoad)} meter units`,
    `XS meter units per reading (${r.readings} averaged; ${r.messageBytes}-byte signed reading): sample ${n(r.cycle.sample)}, encode ${n(r.cycle.encode)}, sign ${n(r.cycle.sign)}, outbox append ${n(r.cycle.outboxAppend)}, outbox remove ${n(r.cycle.outboxRemove)}; full cycle with publish ${n(r.cycle.fullCycle)}`,
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchXsMemory()
    .then((report) => console.log(formatXsMemory(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
