// Prepares everything mcconfig needs for the ESP32 firmware (manifest.json names these paths):
//   dist/firmware/fieldproof-core.js  hosts/esp32/core-bundle.ts plus @noble/* and cbor-x, as one ES module,
//                                     preloaded; the XS conformance test and the XS bench run this very file;
//   dist/firmware/main.js             hosts/esp32/device/main.ts compiled (not bundled: it imports only Moddable
//                                     modules, fieldproof/system and fieldproof-core), with the firmware version
//                                     and build id defined;
//   dist/firmware/build-info.json     version, build id, sizes.
//   npm run build:firmware
// The bundle must not need anything Node provides: the build fails on a Node built-in import, on any import left
// outside the bundle, and on a free reference to a Node global (Buffer, process, require, ...) that is not
// listed, with its reason, in ALLOWED_NODE_GLOBALS. The output is deterministic: same sources, same bytes.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** Repository root (this file runs as dist/tools/build-firmware.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIRMWARE_ENTRY = 'hosts/esp32/core-bundle.ts';
export const FIRMWARE_OUTPUT = 'dist/firmware/fieldproof-core.js';
export const FIRMWARE_OUTPUT_PATH = join(REPO_ROOT, FIRMWARE_OUTPUT);

/** Node globals that do not exist under XS on the device. A free reference to one fails the build. */
export const NODE_GLOBALS = Object.freeze([
  'Buffer', 'process', 'global', 'require', 'module', 'exports', '__dirname', '__filename', 'setImmediate', 'clearImmediate',
]);

/**
 * Free references to Node globals that are known, unreachable from the core, and accepted.
 * `count` is exact: a dependency update that adds or removes one fails the build until this list is reviewed.
 */
export const ALLOWED_NODE_GLOBALS: readonly { source: string; name: string; count: number; reason: string }[] = Object.freeze([
  {
    source: 'node_modules/cbor-x/decode.js',
    name: 'Buffer',
    count: 1,
    reason:
      'Buffer.concat() joins the chunks of an indefinite-length byte string; src/core/cbor-scan.ts rejects ' +
      'indefinite lengths before cbor-x decodes anything, so this line never runs',
  },
]);

/** The esbuild options of the firmware bundle (one place: the XS test helper builds through buildFirmware()). */
export const FIRMWARE_ESBUILD_OPTIONS = Object.freeze({
  absWorkingDir: REPO_ROOT,
  entryPoints: [FIRMWARE_ENTRY],
  outfile: FIRMWARE_OUTPUT,
  bundle: true,
  format: 'esm',
  target: 'es2020',
  // neutral: no "node" and no "browser" condition. With only "module" (plus esbuild's implicit "import" and
  // "default"), cbor-x resolves to its platform-independent index.js, never node-index.js or dist/node.cjs.
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['module'],
  // Keep license notices where they are; 'eof' would put them after the export statement.
  legalComments: 'inline',
  charset: 'ascii',
  minify: false,
  sourcemap: false,
  treeShaking: true,
  logLevel: 'silent',
} satisfies esbuild.BuildOptions);

export interface FirmwareBuild {
  /** Absolute path of the bundle written (or that would be written). */
  path: string;
  text: string;
  bytes: number;
  sha256: string;
  /** Input files, relative to the repository root, sorted. */
  inputs: string[];
}

export class FirmwareBuildError extends Error {
  override name = 'FirmwareBuildError';
}

/** Build the firmware bundle, check it, and (unless write: false) write it atomically. */
export async function buildFirmware(options: { write?: boolean } = {}): Promise<FirmwareBuild> {
  const result = await runEsbuild({});
  const output = result.outputFiles[0];
  if (!output || result.outputFiles.length !== 1) throw new FirmwareBuildError(`esbuild: expected one output file, got ${result.outputFiles.length}`);
  const text = output.text;

  checkImports(result.metafile);
  await checkNodeGlobals();
  if (/\bimport\.meta\b/.test(text)) throw new FirmwareBuildError('the bundle uses import.meta, which the device host does not provide for the core');

  const path = join(REPO_ROOT, FIRMWARE_OUTPUT);
  if (options.write !== false) {
    mkdirSync(dirname(path), { recursive: true });
    // Write-then-rename: a test and a bench building at once never read half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  return {
    path,
    text,
    bytes: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}

async function runEsbuild(define: Record<string, string>) {
  try {
    return await esbuild.build({ ...FIRMWARE_ESBUILD_OPTIONS, define, write: false, metafile: true });
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (Array.isArray(failure.errors)) {
      const lines = failure.errors.map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`);
      throw new FirmwareBuildError(`esbuild failed to bundle ${FIRMWARE_ENTRY}:\n${lines.join('\n')}`);
    }
    throw error;
  }
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function isNodeBuiltin(path: string): boolean {
  return path.startsWith('node:') || NODE_BUILTINS.has(path) || NODE_BUILTINS.has(path.split('/')[0]!);
}

/** Everything is bundled: no import may be left over, least of all a Node built-in; cbor-x must be its neutral build. */
function checkImports(metafile: esbuild.Metafile): void {
  const problems: string[] = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (isNodeBuiltin(file)) problems.push(`input ${file} is a Node built-in`);
    for (const imp of input.imports) {
      if (imp.path === '<runtime>') continue; // esbuild's own helpers (class field lowering), inlined in the output
      if (isNodeBuiltin(imp.path)) problems.push(`${file} imports the Node built-in ${imp.path}`);
      else if (imp.external) problems.push(`${file} imports ${imp.path}, which is left outside the bundle`);
    }
  }
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imp of output.imports) problems.push(`${file} still imports ${imp.path}${isNodeBuiltin(imp.path) ? ' (a Node built-in)' : ''}`);
  }
  const cborx = Object.keys(metafile.inputs).filter((file) => file.includes('node_modules/cbor-x/'));
  if (!cborx.includes('node_modules/cbor-x/index.js') || cborx.some((file) => /node-index\.js$|\/dist\/node\.cjs$/.test(file))) {
    problems.push(`cbor-x did not resolve to its platform-neutral build (inputs: ${cborx.join(', ') || 'none'})`);
  }
  if (problems.length > 0) throw new FirmwareBuildError(`the firmware bundle depends on Node:\n  ${problems.join('\n  ')}`);
}

/**
 * Find free references to Node globals. esbuild's `define` replaces only identifiers that resolve to no binding
 * (a local `const Buffer = globalThis.Buffer` is untouched), so a second build that defines each Node global as a
 * marker identifier shows exactly the free references; each is attributed to the module whose `// path` comment
 * precedes it in the (unminified) output.
 */
async function checkNodeGlobals(): Promise<void> {
  const marker = (name: string) => `__FIELDPROOF_FREE_GLOBAL_${name}__`;
  const define = Object.fromEntries(NODE_GLOBALS.map((name) => [name, marker(name)]));
  const text = (await runEsbuild(define)).outputFiles[0]!.text;
  const found = new Map<string, { source: string; name: string; count: number }>();
  const lines = text.split('\n');
  let source = '(bundle prologue)';
  for (const line of lines) {
    const comment = /^\/\/ (\S+\.(?:[cm]?[jt]s|json))$/.exec(line);
    if (comment) source = comment[1]!;
    for (const match of line.matchAll(/__FIELDPROOF_FREE_GLOBAL_(\w+?)__/g)) {
      const key = `${source}\0${match[1]}`;
      const entry = found.get(key) ?? { source, name: match[1]!, count: 0 };
      entry.count++;
      found.set(key, entry);
    }
  }
  const problems: string[] = [];
  for (const entry of found.values()) {
    const allowed = ALLOWED_NODE_GLOBALS.find((a) => a.source === entry.source && a.name === entry.name);
    if (!allowed) problems.push(`${entry.source}: ${entry.count} free reference(s) to ${entry.name}`);
    else if (allowed.count !== entry.count) {
      problems.push(`${entry.source}: ${entry.count} free reference(s) to ${entry.name}, ${allowed.count} reviewed (ALLOWED_NODE_GLOBALS)`);
    }
  }
  for (const allowed of ALLOWED_NODE_GLOBALS) {
    if (!found.has(`${allowed.source}\0${allowed.name}`)) problems.push(`${allowed.source}: the reviewed reference to ${allowed.name} is gone; drop it from ALLOWED_NODE_GLOBALS`);
  }
  if (problems.length > 0) throw new FirmwareBuildError(`the firmware bundle uses Node globals that XS does not have:\n  ${problems.join('\n  ')}`);
}

export const DEVICE_MAIN_ENTRY = 'hosts/esp32/device/main.ts';
export const DEVICE_MAIN_OUTPUT = 'dist/firmware/main.js';
export const BUILD_INFO_OUTPUT = 'dist/firmware/build-info.json';
/** What the device main may import: Moddable SDK modules (declared in hosts/esp32/device/moddable.d.ts), our native module and the core bundle. */
export const DEVICE_MAIN_IMPORTS: readonly string[] = Object.freeze([
  'mc/config', 'preference', 'flash', 'wifi', 'sntp', 'time', 'timer', 'Resource', 'fieldproof/system', 'fieldproof-core',
  'fieldproof/tlssocket', 'embedded:network/mqtt/client', 'embedded:io/socket/tcp', 'embedded:io/socket/udp',
  'embedded:network/dns/resolver/udp', 'embedded:io/smbus', 'embedded:io/i2c', 'embedded:io/serial', 'embedded:io/digital',
]);

export interface DeviceMainBuild {
  path: string;
  text: string;
  version: string;
  /** Firmware build id: hex of the first 8 bytes of SHA-256 over the core bundle and the device main's source. */
  build: string;
  imports: string[];
}

/** Compile the device main with the firmware identity defined; refuse imports outside DEVICE_MAIN_IMPORTS. */
export async function buildDeviceMain(core: FirmwareBuild, options: { write?: boolean } = {}): Promise<DeviceMainBuild> {
  const source = readFileSync(join(REPO_ROOT, DEVICE_MAIN_ENTRY), 'utf8');
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const build = createHash('sha256').update(core.text).update(source).digest('hex').slice(0, 16);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile: esbuild.Metafile };
  try {
    result = await esbuild.build({
      absWorkingDir: REPO_ROOT,
      entryPoints: [DEVICE_MAIN_ENTRY],
      outfile: DEVICE_MAIN_OUTPUT,
      bundle: true,
      external: [...DEVICE_MAIN_IMPORTS],
      format: 'esm',
      target: 'es2020',
      platform: 'neutral',
      charset: 'ascii',
      logLevel: 'silent',
      define: { FIELDPROOF_FIRMWARE_VERSION: JSON.stringify(version), FIELDPROOF_FIRMWARE_BUILD: JSON.stringify(build) },
      write: false,
      metafile: true,
    });
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const lines = (failure.errors ?? []).map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`);
    throw new FirmwareBuildError(`esbuild failed to compile ${DEVICE_MAIN_ENTRY}:\n${lines.join('\n') || String(error)}`);
  }
  const inputs = Object.keys(result.metafile.inputs);
  if (inputs.length !== 1) {
    throw new FirmwareBuildError(`${DEVICE_MAIN_ENTRY} pulled in ${inputs.filter((f) => f !== DEVICE_MAIN_ENTRY).join(', ')}: import shared code through fieldproof-core`);
  }
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const stray = imports.filter((path) => !DEVICE_MAIN_IMPORTS.includes(path));
  if (stray.length > 0) throw new FirmwareBuildError(`${DEVICE_MAIN_ENTRY} imports ${stray.join(', ')}, outside DEVICE_MAIN_IMPORTS`);
  const text = result.outputFiles[0]!.text;
  const path = join(REPO_ROOT, DEVICE_MAIN_OUTPUT);
  if (options.write !== false) {
    writeAtomic(path, text);
    const info = { version, build, core: { file: FIRMWARE_OUTPUT, bytes: core.bytes, sha256: core.sha256, modules: core.inputs.length }, main: { file: DEVICE_MAIN_OUTPUT, bytes: Buffer.byteLength(text) } };
    writeAtomic(join(REPO_ROOT, BUILD_INFO_OUTPUT), JSON.stringify(info, null, 2) + '\n');
  }
  return { path, text, version, build, imports: [...new Set(imports)].sort() };
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function main(): Promise<void> {
  const build = await buildFirmware();
  const kib = (build.bytes / 1024).toFixed(1);
  console.log(`${FIRMWARE_OUTPUT}: ${build.bytes} bytes (${kib} KiB), ${build.inputs.length} modules, sha256 ${build.sha256}`);
  const device = await buildDeviceMain(build);
  console.log(`${DEVICE_MAIN_OUTPUT}: ${Buffer.byteLength(device.text)} bytes; firmware ${device.version}, build ${device.build} (${BUILD_INFO_OUTPUT})`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof FirmwareBuildError ? `build:firmware: ${error.message}` : error);
    process.exitCode = 1;
  });
}
