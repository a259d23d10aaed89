// The ESP32 device main: builds the DevicePlatform from Moddable modules and starts the FieldDevice. Everything
// that decides anything is in the preloaded bundle "fieldproof-core" (hosts/esp32/core-bundle.ts), tested on Node
// and in XS; this file only connects SDK classes to it, and is type-checked against moddable.d.ts.
// Based on: examples/io/tcp/mqttclient (ECMA-419 MQTT client with its dns and socket options),
// modules/files/preference, modules/files/flash/esp32/flash.c (a data partition by name),
// modules/network/wifi/esp32/wifi.js (connect, disconnect, "gotIP"/"lostIP"), modules/network/sntp, modules/base/time,
// modules/base/timer, modules/files/resource, documentation/io/io.md (Digital, Serial, SMBus, I2C).
// The TLS socket is the SDK's examples/io/tcp/tlssocket/tlssocket.js under our own name (manifest.json): the SDK has
// published it as "embedded:io/socket/tlssocket" and as "embedded:io/socket/tcp/tls" in different releases.
import config from 'mc/config';
import Preference from 'preference';
import Flash from 'flash';
import WiFi from 'wifi';
import SNTP from 'sntp';
import Time from 'time';
import Timer from 'timer';
import Resource from 'Resource';
import MQTTClient from 'embedded:network/mqtt/client';
import TCP from 'embedded:io/socket/tcp';
import TLSSocket from 'fieldproof/tlssocket';
import UDP from 'embedded:io/socket/udp';
import Resolver from 'embedded:network/dns/resolver/udp';
import SMBus from 'embedded:io/smbus';
import I2C from 'embedded:io/i2c';
import Serial from 'embedded:io/serial';
import Digital from 'embedded:io/digital';
import * as system from 'fieldproof/system';
import { FieldDevice, LineSplitter, flashDevice, parseBrokerUrl, parseDeviceConfig, sensorBindings } from 'fieldproof-core';

/** Set by `npm run build:firmware` (esbuild define): package version and the first 8 bytes of the bundle's SHA-256. */
declare const FIELDPROOF_FIRMWARE_VERSION: string;
declare const FIELDPROOF_FIRMWARE_BUILD: string;

const NVS_DOMAIN = 'fieldproof'; // NVS namespace: at most 15 characters
const DNS_SERVERS = ['1.1.1.1', '8.8.8.8'];

const log = {
  info: (m: string) => trace(`fieldproof: ${m}\n`),
  warn: (m: string) => trace(`fieldproof warning: ${m}\n`),
  error: (m: string) => trace(`fieldproof error: ${m}\n`),
};

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// The console UART (UART0 on boards with a USB-serial bridge). In a release build it is free to read (FP1 lines from
// `fieldproof provision-serial`); in a debug build xsbug owns it, the open fails, and lines are only printed
// (through trace, which xsbug shows). Boards whose console is USB CDC (consolePort -1) only print.
let consoleIo: Serial | undefined;
const print = (line: string) => {
  if (consoleIo) consoleIo.write(ArrayBuffer.fromString(`${line}\r\n`));
  else trace(`${line}\n`);
};

function readConfig() {
  if (typeof config.fieldproof !== 'string') {
    print('FP1 ERROR no_config this firmware was built without a node config; build it with `fieldproof flash`');
    return undefined;
  }
  try {
    return parseDeviceConfig(JSON.parse(config.fieldproof));
  } catch (error) {
    print(`FP1 ERROR bad_config ${(error as Error).message}`);
    return undefined;
  }
}

const nodeConfig = readConfig();
if (nodeConfig) {
  const broker = parseBrokerUrl(nodeConfig.broker)!;
  const resetReason = system.resetReason();
  let wifi: WiFi | undefined;
  let outboxFlash;
  try {
    outboxFlash = flashDevice(new Flash(nodeConfig.outboxPartition), nodeConfig.outboxPartition);
  } catch (error) {
    log.error(`outbox partition "${nodeConfig.outboxPartition}": ${(error as Error).message}`);
  }
  const led = nodeConfig.pins.led >= 0 ? new Digital({ pin: nodeConfig.pins.led, mode: Digital.Output }) : undefined;
  // The SSL session trusts only this CA (DER, from `fieldproof flash --tls-ca`); the server name comes from the host.
  const secure = broker.tls ? { certificate: new Resource(nodeConfig.tlsCa!) } : undefined;

  let device: FieldDevice | undefined;
  const button =
    nodeConfig.pins.button >= 0
      ? new Digital({ pin: nodeConfig.pins.button, mode: Digital.InputPullUp, edge: Digital.Rising | Digital.Falling, onReadable: () => device?.buttonEdge() })
      : undefined;
  const sensors = sensorBindings(
    nodeConfig,
    { SMBus: SMBus as never, I2C: I2C as never, Serial: Serial as never, delay: (ms) => Timer.delay(ms), now: () => Time.ticks },
    (sensor, message) => log.warn(`${sensor}: ${message}`),
  );
  device = new FieldDevice(
    {
      storage: {
        get(name) {
          const value = Preference.get(NVS_DOMAIN, name);
          return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
        },
        // NVS keeps the old value if power fails during a write (ESP-IDF "Non-Volatile Storage Library").
        set(name, value) {
          Preference.set(NVS_DOMAIN, name, value.slice().buffer as ArrayBuffer);
        },
      },
      rng: { bytes: (n) => new Uint8Array(system.randomBytes(n)) },
      timer: { set: (callback, ms) => Timer.set(callback, ms), clear: (handle) => Timer.clear(handle as object) },
      ticks: () => Time.ticks,
      log,
      print,
      ...(outboxFlash ? { outboxFlash } : {}),
      wifiConnect(onMessage) {
        wifi?.close();
        wifi = new WiFi({ ssid: nodeConfig.wifiSsid, password: nodeConfig.wifiPassword }, (message) => {
          onMessage(message === 'lostIP' ? 'disconnect' : message);
        });
      },
      wifiDisconnect() {
        wifi?.close();
        wifi = undefined;
        WiFi.disconnect();
      },
      sntpRequest(host, done) {
        new SNTP({ host }, (message, value) => {
          if (message === SNTP.time) done(undefined, value);
          else if (message === SNTP.error) done(`no answer from ${host}`);
        });
      },
      setSystemTime: (seconds) => Time.set(seconds),
      mqtt: (options) =>
        new MQTTClient({
          ...options,
          dns: { io: Resolver, servers: DNS_SERVERS, socket: { io: UDP } },
          // TLS wraps a TCP socket, as the SDK's examples/io/tcp/httpsclient/config.js builds its https entry.
          socket: secure ? { io: TLSSocket, TCP: { io: TCP }, secure } : { io: TCP },
        }) as never,
      sensors,
      ...(led ? { led: (on: boolean) => led.write(on ? 1 : 0) } : {}),
      ...(button ? { buttonRead: () => button.read() } : {}),
      diagnostics: () => ({ freeHeap: system.freeHeap(), minFreeHeap: system.minimumFreeHeap(), resetReason }),
      restart: (reason) => {
        log.error(`restart: ${reason}`);
        system.restart();
      },
    },
    nodeConfig,
    { version: FIELDPROOF_FIRMWARE_VERSION, build: hexBytes(FIELDPROOF_FIRMWARE_BUILD) },
  );
  const started = device;
  const { consolePort, consoleRx, consoleTx } = nodeConfig.pins;
  if (consolePort >= 0 && consoleRx >= 0 && consoleTx >= 0) {
    try {
      const lines = new LineSplitter((line) => started.consoleLine(line));
      consoleIo = new Serial({
        port: consolePort,
        receive: consoleRx,
        transmit: consoleTx,
        baud: 115200,
        format: 'buffer',
        onReadable() {
          const bytes = consoleIo?.read();
          if (bytes) lines.push(new Uint8Array(bytes));
        },
      });
    } catch {
      consoleIo = undefined; // a debug build: xsbug owns the port
    }
  }
  try {
    started.start();
  } catch (error) {
    // FieldDevice printed `FP1 ERROR boot_failed ...` and shows the fault pattern; the console stays up.
    log.error(`boot failed: ${(error as Error).message}`);
  }
}
