// Runs the firmware bundle (dist/firmware/fieldproof-core.js, from `npm run build:firmware`) in Moddable's XS
// engine, through an xsnap worker (@agoric/xsnap), and talks to it with JSON commands.
//
// The bundle is an ES module; xsnap evaluates scripts. bundleToScript() makes the smallest change that turns one
// into the other and asserts that everything else is byte-identical:
//   1. prepend the directive `"use strict";\n` (module code is strict; without it the bundle would run sloppy and
//      its top-level `var`s and functions would land on the global object), and
//   2. replace the bundle's final statement `export { a, b as c, ... };` by
//      `globalThis.fieldproofCore = { a, c: b, ... };` (same lines, same order).
// The driver, test/helpers/xs-driver.js, then uses only globalThis.fieldproofCore.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as fs from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, type as osType } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFirmware, FIRMWARE_OUTPUT_PATH, REPO_ROOT } from '../../tools/build-firmware.js';

export const CORE_GLOBAL = 'fieldproofCore';
export const SCRIPT_PROLOGUE = '"use strict";\n';
export const DRIVER_PATH = join(REPO_ROOT, 'test/helpers/xs-driver.js');

/**
 * xsnap globals that a Moddable ESP32 build does not have unless its manifest adds them. They are removed before
 * the bundle runs, so the core is tested without them (cbor-x then takes its pure-JS UTF-8 paths, as on a device).
 */
export const XSNAP_EXTRAS_HIDDEN = Object.freeze(['TextEncoder', 'TextDecoder', 'Base64', 'global', 'setImmediate']);

export interface XsMeter {
  /** XS meter units (roughly: bytecodes executed plus weighted native work) of the command. */
  compute: number;
  /** Bytes the XS machine has allocated from the OS for slots and chunks, cumulative (xsnap's `allocate`). */
  allocate: number;
  /** Live XS slots (16 bytes each on the ESP32, 32 on a 64-bit host) at the end of the command. */
  currentHeapCount: number;
}

/** Live XS heap, from the atoms of an xsnap snapshot (xsSnapshot.c writes live chunks as BLOC, live slots as HEAP). */
export interface XsHeap {
  /** Bytes of live chunks (strings, array items, ArrayBuffer data, BigInt digits, bytecode of closures...). */
  chunkBytes: number;
  /** Live slots. */
  slots: number;
  /** Bytes per slot in this build (32 on 64-bit xsnap; 16 on the ESP32). */
  slotSize: number;
}

/** Parse the atoms of an XS snapshot: [size u32 BE incl. 8][type 4 ASCII][payload], inside one XS_M atom. */
export function parseSnapshotHeap(bytes: Uint8Array): XsHeap {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (at: number) => String.fromCharCode(...bytes.subarray(at + 4, at + 8));
  if (bytes.length < 16 || type(0) !== 'XS_M') throw new Error('xsnap snapshot: no XS_M atom');
  let at = 8;
  let slotSize = 0;
  let chunkBytes: number | undefined;
  let slotBytes: number | undefined;
  while (at + 8 <= bytes.length && (chunkBytes === undefined || slotBytes === undefined)) {
    const size = view.getUint32(at);
    if (size < 8) throw new Error(`xsnap snapshot: atom ${type(at)} of size ${size}`);
    const kind = type(at);
    if (kind === 'VERS') slotSize = Math.abs(view.getInt8(at + 8 + 3));
    if (kind === 'BLOC') chunkBytes = size - 8;
    if (kind === 'HEAP') slotBytes = size - 8;
    at += size;
  }
  if (chunkBytes === undefined || slotBytes === undefined || slotSize === 0) throw new Error('xsnap snapshot: BLOC, HEAP or VERS atom missing');
  return { chunkBytes, slots: slotBytes / slotSize, slotSize };
}

export interface XsCall<T = any> {
  result: T;
  meter: XsMeter;
}

export interface XsCore {
  call<T = any>(op: string, args?: object): Promise<XsCall<T>>;
  close(): Promise<void>;
  /** Live heap now, from a snapshot of the worker (XS collects garbage before writing it). */
  heap(): Promise<XsHeap>;
  /** Evaluate another script in the worker (after the bundle and the driver), e.g. the device glue on SDK fakes. */
  evaluate(script: string): Promise<XsMeter>;
  /** Meter of evaluating the bundle script (loading the core) in this worker. */
  readonly load: XsMeter;
  /** Live heap just before and just after the bundle was evaluated (only with StartOptions.measureHeap). */
  readonly loadHeap: { before: XsHeap; after: XsHeap } | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The bundle and its script form

/** Newest mtime among the files the firmware bundle is built from (sources, lockfile, build tool). */
function newestSourceMtime(): number {
  let newest = 0;
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (/\.(ts|js|json)$/.test(path)) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const part of ['src/core', 'hosts/esp32', 'package-lock.json', 'dist/tools/build-firmware.js']) visit(join(REPO_ROOT, part));
  return newest;
}

/**
 * The firmware bundle text. Built through tools/build-firmware.ts when it is missing, and also when a source it is
 * built from (src/core, hosts/esp32, the lockfile, the build tool) is newer: a stale bundle would test old code.
 */
export async function firmwareBundle(): Promise<string> {
  if (!existsSync(FIRMWARE_OUTPUT_PATH) || statSync(FIRMWARE_OUTPUT_PATH).mtimeMs < newestSourceMtime()) {
    return (await buildFirmware()).text;
  }
  return readFileSync(FIRMWARE_OUTPUT_PATH, 'utf8');
}

const FINAL_EXPORT = /\nexport \{([^{}]*)\};\n?$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The ESM bundle as an xsnap script (see the header). Throws if the bundle is not of the expected shape. */
export function bundleToScript(bundle: string): string {
  const match = FINAL_EXPORT.exec(bundle);
  if (!match) throw new Error('firmware bundle: expected it to end with one `export { ... };` statement');
  const exportStart = match.index + 1; // keep the newline before it
  const head = bundle.slice(0, exportStart);
  const exportStatement = bundle.slice(exportStart);
  const strayModuleSyntax = /^(?:export|import)[\s{*]/m.exec(head);
  if (strayModuleSyntax) throw new Error(`firmware bundle: module syntax other than the final export at offset ${strayModuleSyntax.index}`);

  // `export {` -> `globalThis.fieldproofCore = {`, `local as name` -> `name: local`; whitespace and order kept.
  const body = match[1]!.replace(/([^,\s][^,]*?)(\s*)(,|$)/g, (_all, specifier: string, space: string, comma: string) => {
    const parts = specifier.split(/\s+as\s+/);
    const [local, exported = local] = parts as [string, string?];
    if (parts.length > 2 || !IDENTIFIER.test(local) || !IDENTIFIER.test(exported)) {
      throw new Error(`firmware bundle: unexpected export specifier \`${specifier}\``);
    }
    return `${exported === local ? local : `${exported}: ${local}`}${space}${comma}`;
  });
  const assignment = `globalThis.${CORE_GLOBAL} = {${body}};` + exportStatement.slice(exportStatement.lastIndexOf(';') + 1);
  const script = SCRIPT_PROLOGUE + head + assignment;

  // The promise of this helper: apart from the prologue and the final statement, the text XS runs is the bundle.
  const rebuilt = script.slice(SCRIPT_PROLOGUE.length, script.length - assignment.length) + exportStatement;
  if (!script.startsWith(SCRIPT_PROLOGUE) || rebuilt !== bundle) {
    throw new Error('firmware bundle: the script differs from the bundle beyond the prologue and the export statement');
  }
  return script;
}

// ---------------------------------------------------------------------------------------------------------------
// xsnap

type XsnapRun = { reply: Uint8Array; meterUsage: { compute: number | null; allocate: number | null; currentHeapCount: number | null } };
interface XsnapWorker {
  evaluate(code: string): Promise<XsnapRun>;
  makeSnapshotStream(description?: string): AsyncIterable<Uint8Array>;
  issueCommand(message: Uint8Array): Promise<XsnapRun>;
  close(): Promise<void>;
  terminate(): Promise<void>;
}
type XsnapFactory = (options: Record<string, unknown>) => Promise<XsnapWorker>;

let xsnapFactory: Promise<XsnapFactory> | undefined;

/**
 * @agoric/xsnap's module graph expects the SES globals (assert, harden, HandledPromise) to exist when it loads;
 * Agoric programs get them from `@endo/init`, which also calls lockdown() and freezes every intrinsic of this
 * process. We need none of that hardening here (and a bench runner sharing this process must stay unfrozen), so we
 * install only the missing globals: `ses` (assert, lockdown; lockdown is never called), a shallow harden() that
 * freezes its argument's own properties, and the HandledPromise shim. All resolved from @agoric/xsnap's own
 * dependencies.
 */
function loadXsnap(): Promise<XsnapFactory> {
  xsnapFactory ??= (async () => {
    const require = createRequire(import.meta.url);
    const xsnapMain = require.resolve('@agoric/xsnap');
    const fromXsnap = createRequire(xsnapMain);
    const g = globalThis as Record<string, unknown>;
    if (typeof g.assert !== 'function' || typeof g.lockdown !== 'function') await import(pathToFileURL(fromXsnap.resolve('ses')).href);
    if (typeof g.harden !== 'function') Object.defineProperty(globalThis, 'harden', { value: shallowHarden, writable: true, configurable: true });
    if (typeof g.HandledPromise !== 'function') await import(pathToFileURL(fromXsnap.resolve('@endo/eventual-send/shim.js')).href);
    const mod = (await import(pathToFileURL(xsnapMain).href)) as { xsnap: XsnapFactory };
    return mod.xsnap;
  })();
  return xsnapFactory;
}

function shallowHarden<T>(root: T): T {
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
    seen.add(value);
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key)!;
      if ('value' in d) visit(d.value);
      else {
        visit(d.get);
        visit(d.set);
      }
    }
  };
  visit(root);
  return root;
}

function xsnapBinary(): string {
  const platform = ({ Linux: 'lin', Darwin: 'mac' } as Record<string, string>)[osType()];
  if (!platform) throw new Error(`xsnap runs on Linux and macOS only, not on ${osType()}`);
  const pkg = dirname(createRequire(import.meta.url).resolve('@agoric/xsnap/package.json'));
  return join(pkg, `xsnap-native/xsnap/build/bin/${platform}/release/xsnap-worker`);
}

let tmpCounter = 0;
function tmpName(options: { template?: string }, callback: (error: Error | null, name?: string) => void): void {
  const unique = `${process.pid}-${Date.now()}-${tmpCounter++}`;
  callback(null, join(tmpdir(), (options?.template ?? 'xsnap-XXXXXX').replace('XXXXXX', unique)));
}

const toMeter = (m: XsnapRun['meterUsage']): XsMeter => ({ compute: m.compute ?? NaN, allocate: m.allocate ?? NaN, currentHeapCount: m.currentHeapCount ?? NaN });

function asciiJson(value: unknown): Uint8Array {
  const text = JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export interface StartOptions {
  /** Worker name in xsnap's messages. */
  name?: string;
  /** Per-command compute limit in meter units; 0 (default) means none. */
  meteringLimit?: number;
  /** Give up starting the worker after this many ms. Default 20000. */
  startTimeoutMs?: number;
  /** Snapshot the heap before and after loading the bundle (XsCore.loadHeap). */
  measureHeap?: boolean;
}

async function snapshotHeap(worker: XsnapWorker): Promise<XsHeap> {
  const parts: Uint8Array[] = [];
  for await (const part of worker.makeSnapshotStream('fieldproof-heap')) parts.push(part);
  return parseSnapshotHeap(Buffer.concat(parts));
}

/**
 * Start an xsnap worker running the firmware bundle and the driver. Rejects with an Error that says what is
 * missing when XS cannot run (no xsnap binary, unsupported OS, bundle build failure, exception while loading).
 */
export async function startXsCore(options: StartOptions = {}): Promise<XsCore> {
  const name = options.name ?? 'fieldproof-xs-core';
  const binary = xsnapBinary();
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`xsnap worker binary not found or not executable: ${binary} (reinstall @agoric/xsnap so its postinstall builds it)`);
  }
  const script = bundleToScript(await firmwareBundle());
  const driver = readFileSync(DRIVER_PATH, 'utf8');
  const xsnap = await loadXsnap();

  let spawnError: ((error: Error) => void) | undefined;
  const spawnFailed = new Promise<never>((_, reject) => {
    spawnError = reject;
  });
  spawnFailed.catch(() => {});
  const spawnWatched = ((command: string, args: string[], opts: object) => {
    const child = spawn(command, args, opts);
    child.on('error', (error) => spawnError!(new Error(`could not start ${command}: ${error.message}`)));
    return child;
  }) as typeof spawn;

  const worker = await xsnap({
    name,
    os: osType(),
    spawn: spawnWatched,
    fs: { ...fs, ...fsPromises, tmpName },
    stdout: 'inherit',
    stderr: 'inherit',
    meteringLimit: options.meteringLimit ?? 0,
  });

  let load: XsMeter;
  let loadHeap: { before: XsHeap; after: XsHeap } | undefined;
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`xsnap did not load the bundle within ${timeoutMs} ms`)), timeoutMs);
    });
    const hide = `${SCRIPT_PROLOGUE}for (const name of ${JSON.stringify(XSNAP_EXTRAS_HIDDEN)}) delete globalThis[name];\n`;
    await Promise.race([worker.evaluate(hide), spawnFailed, timeout]);
    const before = options.measureHeap ? await snapshotHeap(worker) : undefined;
    load = toMeter((await Promise.race([worker.evaluate(script), spawnFailed, timeout])).meterUsage);
    if (before) loadHeap = { before, after: await snapshotHeap(worker) };
    await Promise.race([worker.evaluate(driver), spawnFailed, timeout]);
  } catch (error) {
    await worker.terminate().catch(() => {});
    throw new Error(`XS could not load the firmware bundle: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }

  let closed = false;
  return {
    load,
    loadHeap,
    heap: () => {
      if (closed) throw new Error('xs-core: heap() after close()');
      return snapshotHeap(worker);
    },
    async evaluate(script: string): Promise<XsMeter> {
      if (closed) throw new Error('xs-core: evaluate() after close()');
      return toMeter((await Promise.race([worker.evaluate(script), spawnFailed])).meterUsage);
    },
    async call<T>(op: string, args: object = {}): Promise<XsCall<T>> {
      if (closed) throw new Error(`xs-core: call(${op}) after close()`);
      const run = await Promise.race([worker.issueCommand(asciiJson({ op, args })), spawnFailed]);
      const text = new TextDecoder().decode(run.reply);
      if (text.length === 0) throw new Error(`XS ${op}: no reply (a promise the driver awaited never settled?)`);
      const reply = JSON.parse(text) as { ok: true; result: T } | { ok: false; error: { name?: string; message: string; stack?: string } };
      if (!reply.ok) {
        const error = new Error(`XS ${op}: ${reply.error.name ?? 'Error'}: ${reply.error.message}`);
        if (reply.error.stack) error.stack = `${error.message}\n  (XS stack)\n${reply.error.stack}`;
        throw error;
      }
      return { result: reply.result, meter: toMeter(run.meterUsage) };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await worker.close();
    },
  };
}
