// The device main (dist/firmware/main.js, exactly as build:firmware writes it for mcconfig) running in XS on
// stand-ins for the Moddable SDK modules (sdk-fakes.js, with the SDK's signatures): the thin glue is checked for
// its wiring, which no other test reaches: NVS through Preference, the outbox partition through Flash, Wi-Fi
// messages, SNTP's callback codes and Time.set, the MQTT client's dns/socket options for mqtt:// and mqtts://,
// the console UART, LED and button pins, and a sensor that is absent at boot.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildDeviceMain, buildFirmware, REPO_ROOT } from '../../../../tools/build-firmware.js';
import { parseConsoleLine } from '../../../../hosts/esp32/console-protocol.js';
import { startXsCore, type XsCore } from '../../../helpers/xs-core.js';

const FAKES = fileURLToPath(new URL('../../../../../test/hosts/esp32/device/sdk-fakes.js', import.meta.url));
const DEFAULT_EXPORTS: Record<string, string> = {
  'mc/config': 'config',
  preference: 'Preference',
  flash: 'Flash',
  wifi: 'WiFi',
  sntp: 'SNTP',
  time: 'Time',
  timer: 'Timer',
  Resource: 'Resource',
  'embedded:network/mqtt/client': 'MQTTClient',
  'embedded:io/socket/tcp': 'TCP',
  'fieldproof/tlssocket': 'TLSSocket',
  'embedded:io/socket/udp': 'UDP',
  'embedded:network/dns/resolver/udp': 'Resolver',
  'embedded:io/smbus': 'SMBus',
  'embedded:io/i2c': 'I2C',
  'embedded:io/serial': 'Serial',
  'embedded:io/digital': 'Digital',
};

let deviceMain: Promise<string> | undefined;

/** The glue bundled with the fakes into one script; `setup` runs before main (ES module evaluation order). */
async function glueScript(config: object, resources: Record<string, number[]> = {}): Promise<string> {
  deviceMain ??= buildFirmware({ write: false }).then(async (core) => (await buildDeviceMain(core, { write: false })).text);
  const main = await deviceMain;
  const coreNames = /import \{([^}]*)\} from "fieldproof-core"/.exec(main)![1]!.split(',').map((n) => n.trim()).filter(Boolean);
  const result = await esbuild.build({
    stdin: { contents: 'import "glue:setup";\nimport "glue:main";\n', resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'moddable-sdk-fakes',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (args.path === FAKES) return undefined;
            return { path: args.path, namespace: 'glue' };
          });
          build.onLoad({ filter: /.*/, namespace: 'glue' }, (args) => {
            const fakes = JSON.stringify(FAKES);
            if (args.path === 'glue:main') return { contents: main, loader: 'js', resolveDir: REPO_ROOT };
            if (args.path === 'glue:setup') {
              const bytes = Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, `Uint8Array.from(${JSON.stringify(v)}).buffer`]));
              const res = `{${Object.entries(bytes).map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(',')}}`;
              return { contents: `import { prepare } from ${fakes};\nprepare(${JSON.stringify(config)}, { resources: ${res} });\n`, loader: 'js', resolveDir: REPO_ROOT };
            }
            if (args.path === 'fieldproof-core') {
              return { contents: coreNames.map((n) => `export const ${n} = globalThis.fieldproofCore.${n};`).join('\n'), loader: 'js' };
            }
            if (args.path === 'fieldproof/system') {
              const names = ['resetReason', 'restart', 'randomBytes', 'freeHeap', 'minimumFreeHeap'];
              return { contents: `import { fakes } from ${fakes};\n${names.map((n) => `export const ${n} = (...a) => fakes.system.${n}(...a);`).join('\n')}`, loader: 'js', resolveDir: REPO_ROOT };
            }
            const name = DEFAULT_EXPORTS[args.path];
            if (!name) throw new Error(`the glue imports ${args.path}, which has no fake`);
            return { contents: `import { fakes } from ${fakes};\nexport default fakes.${name};\n`, loader: 'js', resolveDir: REPO_ROOT };
          });
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

interface GlueState {
  traces: string[];
  prefs: string[];
  keyBytes: number;
  wifiConnects: { ssid: string; password: string }[];
  sntpHosts: string[];
  timeSet: number[];
  mqtt: { host: string; port: number; id: string; keepalive: number; will: boolean; dns: string[]; socket: string; tcp: string | null; secure: string[] | null; written: { topic: string; QoS: number; retain: boolean }[] } | null;
  serial: { port: number; receive: number; transmit: number; baud: number; written: string[] }[];
  digital: { pin: number; mode: number; writes: number }[];
  restarts: number;
}

const BUILT = 1_767_225_600;
const base = { v: 1, wifiSsid: 'bench', wifiPassword: 'correct horse', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: BUILT };

async function boot(config: object, resources?: Record<string, number[]>): Promise<{ xs: XsCore; glue: <T>(args: object) => Promise<T> }> {
  const xs = await startXsCore({ name: 'xs-glue' });
  await xs.evaluate(await glueScript(config, resources));
  return { xs, glue: async <T>(args: object) => (await xs.call<T>('glue', args)).result };
}

test('the glue boots the device on the SDK modules: NVS key, console banner, Wi-Fi, pins, a missing sensor reported', async (t) => {
  const { xs, glue } = await boot({ ...base, broker: 'mqtt://10.0.0.2:1884' });
  try {
    const s = await glue<GlueState>({ action: 'state' });
    t.is(s.keyBytes, 32);
    t.true(s.prefs.includes('fieldproof/seq.v1'));
    t.deepEqual(s.wifiConnects, [{ ssid: 'bench', password: 'correct horse' }]);
    const uart0 = s.serial.find((p) => p.port === 0)!;
    t.like(uart0, { receive: 3, transmit: 1, baud: 115200 });
    const banner = parseConsoleLine(uart0.written[0]!.replace(/\r\n$/, ''));
    t.is(banner?.kind, 'device');
    t.false(s.traces.join('\n').includes('FP1 DEVICE'), 'with a readable console the banner goes to the UART');
    t.deepEqual(s.digital.map((d) => [d.pin, d.mode]), [[2, 8], [0, 1]]);
    t.true(s.traces.some((line) => /bme280: not started/.test(line)));

    await glue({ action: 'console', port: 0, text: 'FP1 HELLO\r\n' });
    const again = (await glue<GlueState>({ action: 'state' })).serial.find((p) => p.port === 0)!;
    t.is(again.written.length, 2);
    t.is(again.written[1], uart0.written[0]);
  } finally {
    await xs.close();
  }
});

test('on an IP the glue asks SNTP, sets the clock from its answer, and connects MQTT with the SDK dns and socket options', async (t) => {
  const { xs, glue } = await boot({ ...base, broker: 'mqtt://10.0.0.2:1884' });
  try {
    await glue({ action: 'wifi', message: 'connect' });
    await glue({ action: 'wifi', message: 'gotIP' });
    let s = await glue<GlueState>({ action: 'state' });
    t.deepEqual(s.sntpHosts, ['pool.ntp.org']);
    t.like(s.mqtt, { host: '10.0.0.2', port: 1884, keepalive: 60_000, will: true, socket: 'TCP', secure: null });
    t.regex(s.mqtt!.id, /^fp-[0-9a-f]{16}$/);
    t.deepEqual(s.mqtt!.dns, ['1.1.1.1', '8.8.8.8']);
    await glue({ action: 'sntp', message: 2 }); // SNTP.retry: keep waiting
    await glue({ action: 'sntp', message: 1, value: BUILT + 3600 }); // SNTP.time
    await glue({ action: 'connack' });
    s = await glue<GlueState>({ action: 'state' });
    t.deepEqual(s.timeSet, [BUILT + 3600]);
    const status = s.mqtt!.written.find((w) => w.topic.endsWith('/status'));
    t.like(status, { QoS: 1, retain: true });
    // lostIP is a disconnect: the glue maps it, and the link retries after its backoff.
    await glue({ action: 'wifi', message: 'lostIP' });
    await glue({ action: 'advance', ms: 5000 });
    s = await glue<GlueState>({ action: 'state' });
    t.true(s.wifiConnects.length >= 2);
  } finally {
    await xs.close();
  }
});

test('mqtts:// goes through the TLS socket over TCP, trusting only the CA resource from the config', async (t) => {
  const ca = [...readFileSync(fileURLToPath(new URL('../../../../../test/vectors/broker-ca.pem', import.meta.url)))].slice(0, 64);
  const { xs, glue } = await boot({ ...base, broker: 'mqtts://broker.example.org', tlsCa: 'fieldproof-ca.der' }, { 'fieldproof-ca.der': ca });
  try {
    await glue({ action: 'wifi', message: 'gotIP' });
    const s = await glue<GlueState>({ action: 'state' });
    t.like(s.mqtt, { host: 'broker.example.org', port: 8883, socket: 'TLSSocket', tcp: 'TCP' });
    t.deepEqual(s.mqtt!.secure, ['certificate']);
  } finally {
    await xs.close();
  }
});

test('a board without a readable console (XIAO ESP32C3) prints the banner through trace and opens no UART 0', async (t) => {
  const { xs, glue } = await boot({ ...base, broker: 'mqtt://10.0.0.2', pins: { sda: 6, scl: 7, uartRx: 20, uartTx: 21, uartPort: 1, led: -1, button: 9, consolePort: -1, consoleRx: -1, consoleTx: -1 } });
  try {
    const s = await glue<GlueState>({ action: 'state' });
    t.deepEqual(s.serial, []);
    t.true(s.traces.some((line) => line.startsWith('FP1 DEVICE id=')));
    t.deepEqual(s.digital.map((d) => d.pin), [9]);
  } finally {
    await xs.close();
  }
});

test('a config the firmware cannot use stops the boot with an FP1 ERROR line naming the field, not a crash', async (t) => {
  const { xs, glue } = await boot({ ...base, broker: 'mqtt://10.0.0.2', wifiPassword: 'short' });
  try {
    const s = await glue<GlueState>({ action: 'state' });
    t.true(s.traces.some((line) => /^FP1 ERROR bad_config config\.wifiPassword/.test(line)));
    t.deepEqual(s.wifiConnects, []);
  } finally {
    await xs.close();
  }
});
