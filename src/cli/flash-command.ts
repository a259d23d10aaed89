// `fieldproof flash`: builds the ESP32 firmware with the node's config and flashes it, through the Moddable SDK's
// mcconfig. It writes a small manifest next to the config (including the repository's manifest.json, adding the
// node config as manifest "config", which the firmware reads through "mc/config", and the broker's CA as data),
// prepares dist/firmware (npm run build:firmware), and runs `mcconfig [-d] -m -p <board> <manifest>`.
// Without the Moddable SDK or ESP-IDF it says exactly what to install instead of failing inside mcconfig.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BOARDS } from '../../hosts/esp32/boards.js';
import { parseDeviceConfig, SENSOR_TYPES, type DeviceConfigV1 } from '../../hosts/esp32/device-config.js';
import { fileURLToPath } from 'node:url';
import { FieldproofError } from '../core/errors.js';

/** Repository root (this file runs as dist/src/cli/flash-command.js). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const INSTALL_HINT = 'npm i -g xs-dev && xs-dev setup --device esp32';
export const CA_RESOURCE = 'fieldproof-ca.der';

export interface FlashOptions {
  board: string;
  wifiSsid: string;
  wifiPassword?: string;
  broker: string;
  mqttUser?: string;
  mqttPassword?: string;
  tlsCa?: string;
  interval: number;
  sensors: string;
  config?: string;
  out?: string;
  debug?: boolean;
  port?: string;
  dryRun?: boolean;
}

export interface FlashPlan {
  board: string;
  config: DeviceConfigV1;
  dir: string;
  manifestPath: string;
  manifest: Record<string, unknown>;
  /** argv, mcconfig first. */
  command: string[];
  /** Extra environment for mcconfig (UPLOAD_PORT). */
  env: Record<string, string>;
  caDer?: Uint8Array;
}

/** Everything `fieldproof flash` would do, without doing it. Throws on a bad option, naming it. */
export function planFlash(options: FlashOptions, now = Date.now()): FlashPlan {
  const board = BOARDS[options.board];
  if (!board) throw new RangeError(`--board: one of ${Object.keys(BOARDS).join(', ')} (got ${options.board})`);
  const extra = options.config ? readConfigFile(options.config) : {};
  const sensors = options.sensors.split(',').map((type) => ({ type: type.trim() }));
  for (const s of sensors) if (!SENSOR_TYPES.includes(s.type as never)) throw new RangeError(`--sensors: ${s.type} is not one of ${SENSOR_TYPES.join(', ')}`);
  let caDer: Uint8Array | undefined;
  if (options.tlsCa) caDer = readCertificate(options.tlsCa);
  let config: DeviceConfigV1;
  try {
    config = parseDeviceConfig({
      v: 1,
      sensors,
      intervalS: options.interval,
      ...extra,
      pins: { ...board.pins, ...((extra.pins as object | undefined) ?? {}) },
      wifiSsid: options.wifiSsid,
      wifiPassword: options.wifiPassword ?? '',
      broker: options.broker,
      ...(options.mqttUser !== undefined ? { mqttUser: options.mqttUser } : {}),
      ...(options.mqttPassword !== undefined ? { mqttPassword: options.mqttPassword } : {}),
      ...(caDer ? { tlsCa: CA_RESOURCE } : {}),
      builtAt: Math.floor(now / 1000) - 86_400, // SNTP answers older than a day before the build are refused
    });
  } catch (error) {
    throw new FieldproofError('FP_E_CONFIG_INVALID', (error as Error).message, { cause: error });
  }
  const dir = resolve(options.out ?? join('.fieldproof', 'firmware', options.board.replace('/', '-')));
  const manifestPath = join(dir, 'manifest.json');
  const manifest: Record<string, unknown> = {
    include: [join(REPO_ROOT, 'manifest.json')],
    config: { fieldproof: JSON.stringify(config) },
    ...(caDer ? { data: { '*': [join(dir, CA_RESOURCE.replace(/\.der$/, ''))] } } : {}),
  };
  const command = ['mcconfig', ...(options.debug ? ['-d'] : []), '-m', '-p', options.board, manifestPath];
  return { board: options.board, config, dir, manifestPath, manifest, command, env: options.port ? { UPLOAD_PORT: options.port } : {}, ...(caDer ? { caDer } : {}) };
}

/** Write the plan's files: the manifest holds the Wi-Fi password, so only the owner may read it. */
export function writePlan(plan: FlashPlan): void {
  mkdirSync(plan.dir, { recursive: true, mode: 0o700 });
  writeFileSync(plan.manifestPath, JSON.stringify(plan.manifest, null, '\t') + '\n', { mode: 0o600 });
  if (plan.caDer) writeFileSync(join(plan.dir, CA_RESOURCE), plan.caDer);
}

export interface Toolchain {
  mcconfig: string;
  moddable: string;
  idfPath: string;
}

/** Find mcconfig and ESP-IDF, or throw FP_E_TOOLCHAIN_MISSING saying what to install. */
export function findToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const moddable = env.MODDABLE;
  const platformDir = process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : 'lin';
  const candidates = [
    ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, process.platform === 'win32' ? 'mcconfig.exe' : 'mcconfig')),
    ...(moddable ? [join(moddable, 'build', 'bin', platformDir, 'release', 'mcconfig')] : []),
  ];
  const mcconfig = candidates.find(isExecutable);
  if (!mcconfig || !moddable || !existsSync(join(moddable, 'build'))) {
    const what = !moddable ? 'MODDABLE is not set' : !existsSync(join(moddable, 'build')) ? `MODDABLE=${moddable} is not a Moddable SDK` : 'mcconfig is not on PATH';
    throw new FieldproofError(
      'FP_E_TOOLCHAIN_MISSING',
      `the Moddable SDK is not installed (${what}). Install the SDK and ESP-IDF with:\n  ${INSTALL_HINT}\n` +
        'then open a new shell (it sets MODDABLE, IDF_PATH and PATH) and run this again. `--dry-run` shows the build without them.',
    );
  }
  const idfPath = env.IDF_PATH;
  if (!idfPath || !existsSync(join(idfPath, 'tools', 'idf.py'))) {
    throw new FieldproofError(
      'FP_E_TOOLCHAIN_MISSING',
      `ESP-IDF is not installed or not set up in this shell (${idfPath ? `IDF_PATH=${idfPath} has no tools/idf.py` : 'IDF_PATH is not set'}). Install it with:\n  ${INSTALL_HINT}\n` +
        'then open a new shell (or source $IDF_PATH/export.sh) and run this again.',
    );
  }
  return { mcconfig, moddable, idfPath };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new FieldproofError('FP_E_CONFIG_MISSING', `no config file at ${path}`);
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new FieldproofError('FP_E_CONFIG_INVALID', `${path}: ${(error as Error).message}`);
  }
}

/** The broker's CA as DER (what Moddable's TLS takes), from a PEM or DER file. */
function readCertificate(path: string): Uint8Array {
  if (!existsSync(path)) throw new FieldproofError('FP_E_CONFIG_MISSING', `--tls-ca: no file at ${path}`);
  try {
    return new Uint8Array(new X509Certificate(readFileSync(path)).raw);
  } catch (error) {
    throw new FieldproofError('FP_E_CONFIG_INVALID', `--tls-ca: ${path} is not a PEM or DER X.509 certificate (${(error as Error).message})`);
  }
}

export function registerFlash(program: Command): void {
  program
    .command('flash')
    .description('build the ESP32 firmware with this node config and flash it (Moddable SDK mcconfig)')
    .option('--board <board>', `target board: ${Object.keys(BOARDS).join(', ')}`, 'esp32/nodemcu')
    .requiredOption('--wifi-ssid <ssid>', 'Wi-Fi network name')
    .option('--wifi-password <password>', 'Wi-Fi passphrase (or FIELDPROOF_WIFI_PASSWORD, which keeps it out of shell history)')
    .requiredOption('--broker <url>', 'mqtt://host[:port] or mqtts://host[:port]')
    .option('--mqtt-user <user>', 'broker user name')
    .option('--mqtt-password <password>', 'broker password (or FIELDPROOF_MQTT_PASSWORD)')
    .option('--tls-ca <file>', "the broker's CA certificate (PEM or DER), for mqtts://")
    .option('--interval <seconds>', 'sampling interval', (v) => Number(v), 60)
    .option('--sensors <types>', `comma-separated: ${SENSOR_TYPES.join(', ')}`, 'bme280')
    .option('--config <file>', 'JSON with further node config fields (pins, sntpHosts, outboxCapacity, sensor addresses)')
    .option('--out <dir>', 'where to write the build manifest (default .fieldproof/firmware/<board>)')
    .option('--debug', 'debug build (-d): xsbug on the serial port; the console then cannot take provisioning commands')
    .option('--port <device>', 'serial port to flash (UPLOAD_PORT), e.g. /dev/ttyUSB0')
    .option('--dry-run', 'write the manifest and print the mcconfig command without running it')
    .action(async (opts: FlashOptions) => {
      const plan = planFlash({
        ...opts,
        ...(opts.wifiPassword === undefined && process.env.FIELDPROOF_WIFI_PASSWORD !== undefined ? { wifiPassword: process.env.FIELDPROOF_WIFI_PASSWORD } : {}),
        ...(opts.mqttPassword === undefined && process.env.FIELDPROOF_MQTT_PASSWORD !== undefined ? { mqttPassword: process.env.FIELDPROOF_MQTT_PASSWORD } : {}),
      });
      writePlan(plan);
      const tools = opts.dryRun ? undefined : findToolchain(); // before the build: say what is missing at once
      // Loaded here, not at the top: the firmware build needs esbuild (a dev dependency), the rest of the CLI does not.
      const { buildDeviceMain, buildFirmware } = await import('../../tools/build-firmware.js');
      const core = await buildFirmware();
      const main = await buildDeviceMain(core);
      const envText = Object.entries(plan.env).map(([k, v]) => `${k}=${v} `).join('');
      process.stdout.write(`firmware ${main.version} build ${main.build}; node config in ${plan.manifestPath} (holds the Wi-Fi password; do not share it)\n`);
      if (opts.dryRun) {
        process.stdout.write(`${envText}${plan.command.join(' ')}\n`);
        return;
      }
      const [, ...args] = plan.command;
      process.stdout.write(`${envText}${tools!.mcconfig} ${args.join(' ')}\n`);
      const code = await new Promise<number>((done, fail) => {
        const child = spawn(tools!.mcconfig, args, { stdio: 'inherit', cwd: plan.dir, env: { ...process.env, ...plan.env } });
        child.once('error', fail);
        child.once('exit', (status) => done(status ?? 1));
      });
      if (code !== 0) {
        process.exitCode = code;
        return;
      }
      process.stdout.write(
        'flashed. On first boot the device creates its key and prints `FP1 DEVICE id=... pk=...` on the console;\n' +
          'register it with: fieldproof provision-serial --port <device> --fleet-key fleet-key.json --verifier <url> --owner <0x...> --lat <deg> --lon <deg>\n',
      );
    });
}
