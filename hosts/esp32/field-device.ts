// The firmware's composition: everything the node does between power-up and readings on the broker, written
// against a DevicePlatform, so it runs (and is tested) on Node and in XS with fakes, while the device main
// (hosts/esp32/device/main.ts) only builds the platform from Moddable modules and calls start().
// Boot: config -> key (first boot: created from the hardware RNG) -> banner on the console -> sequence allocator
// -> outbox on flash -> MQTT transport -> FieldNode -> Wi-Fi; on IP: SNTP, MQTT; on time: the first reading.
// A housekeeping tick (1 s) drives the status LED and a liveness watch: a node that has valid time but has not
// stored a reading for `stallIntervals` sampling intervals restarts (the ESP-IDF task watchdog covers a blocked
// event loop; this covers a running loop that makes no progress).
import { toHex } from '../../src/core/bytes.js';
import { FieldNode } from '../../src/core/field-node.js';
import type { Log, Rng, Storage, Timer } from '../../src/core/host.js';
import { MemoryOutbox, type Outbox } from '../../src/core/outbox.js';
import { Sampler, type SensorBinding, type SensorError } from '../../src/core/sampler.js';
import { SequenceAllocator } from '../../src/core/sequence.js';
import { createNobleSigner, type Signer } from '../../src/core/signer.js';
import { Backoff, unitRandom } from './backoff.js';
import { formatBanner, parseConsoleLine, signClaim, type DeviceBanner } from './console-protocol.js';
import { parseBrokerUrl, type DeviceConfigV1 } from './device-config.js';
import { DeviceClock, SntpSchedule } from './device-clock.js';
import { loadOrCreateDeviceKey } from './device-key.js';
import { FlashOutbox, type FlashDevice } from './flash-outbox.js';
import { MaintenanceButton } from './maintenance-button.js';
import { MqttTransport, type MqttClientFactory } from './mqtt-transport.js';
import { ledStateOf, StatusLed } from './status-led.js';
import { WifiLink, type WifiMessage } from './wifi-link.js';

export interface DevicePlatform {
  /** NVS records (Moddable Preference): the key and the sequence reservation. */
  storage: Storage;
  /** Hardware RNG. */
  rng: Rng;
  timer: Timer;
  /** Monotonic ms since boot. */
  ticks: () => number;
  log: Log;
  /** One line on the serial console. */
  print: (line: string) => void;
  /** The outbox partition; undefined keeps the outbox in RAM (lost on reboot; development only). */
  outboxFlash?: FlashDevice;
  /** Start a Wi-Fi association; messages come back through onMessage. */
  wifiConnect: (onMessage: (message: WifiMessage) => void) => void;
  wifiDisconnect: () => void;
  sntpRequest: (host: string, done: (error: string | undefined, unixSeconds?: number) => void) => void;
  /** Set the system clock (Moddable Time.set), so TLS can check certificate dates. */
  setSystemTime?: (unixSeconds: number) => void;
  mqtt: MqttClientFactory;
  sensors: SensorBinding[];
  led?: (on: boolean) => void;
  /** Pin level of the maintenance button; the platform calls device.buttonEdge() on every edge. */
  buttonRead?: () => number;
  /** Free heap, reset reason, ... for the status message. */
  diagnostics: () => Record<string, number | string>;
  restart: (reason: string) => void;
}

export interface FirmwareIdentity {
  version: string;
  build: Uint8Array;
}

export interface FieldDeviceOptions {
  /** Claims are signed this long after power-up (and in maintenance mode). Default 600000 (10 min). */
  provisioningWindowMs?: number;
  /** Restart after this many sampling intervals with time but no reading stored. Default 5. */
  stallIntervals?: number;
  /**
   * noble precompute window to set at boot. Leave undefined on the device: the window is set when the preloaded
   * bundle is built (hosts/esp32/core-bundle.ts), and setting it at run time throws there.
   */
  precomputeWindow?: number;
}

export class FieldDevice {
  readonly config: DeviceConfigV1;
  readonly #p: DevicePlatform;
  readonly #firmware: FirmwareIdentity;
  readonly #options: Required<Omit<FieldDeviceOptions, 'precomputeWindow'>> & Pick<FieldDeviceOptions, 'precomputeWindow'>;
  #signer: Signer | undefined;
  #banner: DeviceBanner | undefined;
  #node: FieldNode | undefined;
  #outbox: Outbox | undefined;
  #clock: DeviceClock | undefined;
  #wifi: WifiLink | undefined;
  #sntp: SntpSchedule | undefined;
  #transport: MqttTransport | undefined;
  #led: StatusLed | undefined;
  #button: MaintenanceButton | undefined;
  #housekeeping: unknown;
  #fault = false;
  #lastSigned = 0;
  #lastProgressMs = 0;
  #sensorErrors = 0;

  constructor(platform: DevicePlatform, config: DeviceConfigV1, firmware: FirmwareIdentity, options: FieldDeviceOptions = {}) {
    this.#p = platform;
    this.config = config;
    this.#firmware = firmware;
    this.#options = {
      provisioningWindowMs: options.provisioningWindowMs ?? 600_000,
      stallIntervals: options.stallIntervals ?? 5,
      ...(options.precomputeWindow !== undefined ? { precomputeWindow: options.precomputeWindow } : {}),
    };
  }

  get node(): FieldNode | undefined {
    return this.#node;
  }

  get outbox(): Outbox | undefined {
    return this.#outbox;
  }

  get banner(): DeviceBanner | undefined {
    return this.#banner;
  }

  get ledState() {
    return this.#led?.state;
  }

  start(): void {
    const p = this.#p;
    const config = this.config;
    const random = unitRandom((n) => p.rng.bytes(n));
    if (p.led) {
      this.#led = new StatusLed(p.led, p.timer);
      this.#led.show('wifi');
    }
    try {
      const key = loadOrCreateDeviceKey(p.storage, p.rng);
      this.#signer = createNobleSigner(key.secretKey, this.#options.precomputeWindow !== undefined ? { precomputeWindow: this.#options.precomputeWindow } : {});
      key.secretKey.fill(0); // the signer keeps its own copy
      this.#banner = {
        deviceId: key.deviceId,
        publicKey: toHex(key.publicKey),
        firmwareVersion: this.#firmware.version,
        firmwareBuild: toHex(this.#firmware.build),
      };
      p.print(formatBanner(this.#banner));
      if (key.fresh) p.log.info('new device key created in NVS; register the device (docs/HARDWARE.md, "Provisioning")');
      const sequence = new SequenceAllocator(p.storage, { fresh: key.fresh });
      this.#outbox = p.outboxFlash ? new FlashOutbox(p.outboxFlash, { capacity: config.outboxCapacity }) : new MemoryOutbox(Math.min(config.outboxCapacity, 64));
      if (!p.outboxFlash) p.log.warn('no outbox partition: readings wait in RAM and are lost on reboot');
      const clock = (this.#clock = new DeviceClock(p.ticks, config.builtAt));
      const broker = parseBrokerUrl(config.broker)!;
      const transport = (this.#transport = new MqttTransport({
        create: p.mqtt,
        host: broker.host,
        port: broker.port,
        clientId: `fp-${key.deviceId}`,
        ...(config.mqttUser !== undefined ? { user: config.mqttUser } : {}),
        ...(config.mqttPassword !== undefined ? { password: config.mqttPassword } : {}),
        will: () => (this.#node ? { topic: this.#node.topics.status, message: this.#node.statusMessage(false), QoS: 1, retain: true } : undefined),
        timer: p.timer,
        backoff: new Backoff({ initialMs: 2000, maxMs: 300_000, random }),
        log: p.log,
      }));
      const sampler = new Sampler(p.sensors, (e: SensorError) => {
        this.#sensorErrors++;
        p.log.warn(`sensor ${e.sensor}${e.quantity ? ` (${e.quantity})` : ''}: ${e.message}`);
      });
      this.#node = new FieldNode(
        {
          clock,
          timer: p.timer,
          signer: this.#signer,
          sequence,
          outbox: this.#outbox,
          transport,
          sampler,
          log: p.log,
          diagnostics: () => ({
            ...p.diagnostics(),
            wifiAttempts: this.#wifi?.attempts ?? 0,
            mqttConnections: transport.connections,
            sensorErrors: this.#sensorErrors,
            maintenance: this.#node?.maintenance ? 1 : 0,
          }),
        },
        { intervalMs: config.intervalS * 1000, firmwareBuild: this.#firmware.build, firmwareVersion: this.#firmware.version },
      );
      this.#sntp = new SntpSchedule({
        request: p.sntpRequest,
        hosts: config.sntpHosts,
        clock,
        timer: p.timer,
        backoff: new Backoff({ initialMs: 2000, maxMs: 600_000, random }),
        log: p.log,
        onTime: (seconds) => p.setSystemTime?.(seconds),
      });
      this.#wifi = new WifiLink({
        connect: () => p.wifiConnect((message) => this.#wifi!.onMessage(message)),
        disconnect: p.wifiDisconnect,
        timer: p.timer,
        backoff: new Backoff({ initialMs: 1000, maxMs: 120_000, random }),
        log: p.log,
        onOnline: () => {
          p.log.info('wifi: online');
          this.#sntp!.setNetwork(true);
          transport.setNetwork(true);
        },
        onOffline: () => {
          p.log.warn('wifi: offline; readings wait in the outbox');
          this.#sntp!.setNetwork(false);
          transport.setNetwork(false);
        },
      });
      if (p.buttonRead) {
        this.#button = new MaintenanceButton({
          read: p.buttonRead,
          timer: p.timer,
          onToggle: (on) => {
            this.#node!.setMaintenance(on);
            p.log.info(`maintenance mode ${on ? 'on: readings are flagged' : 'off'}`);
          },
        });
      }
    } catch (error) {
      this.#fault = true;
      this.#led?.show('fault');
      p.print(`FP1 ERROR boot_failed ${(error as Error)?.message ?? String(error)}`);
      throw error;
    }
    this.#node.start();
    this.#wifi.start();
    this.#lastProgressMs = p.ticks();
    this.#scheduleHousekeeping();
  }

  /** The platform calls this on every edge of the maintenance button pin. */
  buttonEdge(): void {
    this.#button?.edge();
  }

  /** The platform calls this with every line read from the serial console. */
  consoleLine(line: string): void {
    const message = parseConsoleLine(line);
    if (!message || !this.#banner || !this.#signer) return;
    if (message.kind === 'hello') {
      this.#p.print(formatBanner(this.#banner));
    } else if (message.kind === 'claim') {
      const open = this.#p.ticks() < this.#options.provisioningWindowMs || !!this.#node?.maintenance;
      if (!open) {
        this.#p.print('FP1 ERROR claim_closed claims are signed only in the first minutes after power-up or in maintenance mode');
        return;
      }
      this.#p.print(`FP1 CLAIMED ${toHex(signClaim(this.#signer, message.request))}`);
    }
  }

  #scheduleHousekeeping(): void {
    this.#housekeeping = this.#p.timer.set(() => {
      this.#housekeep();
      this.#scheduleHousekeeping();
    }, 1000);
  }

  #housekeep(): void {
    const node = this.#node!;
    const now = this.#p.ticks();
    this.#led?.show(
      ledStateOf({
        fault: this.#fault,
        maintenance: node.maintenance,
        wifi: this.#wifi!.online,
        clockSynced: this.#clock!.synced(),
        broker: this.#transport!.connected,
      }),
    );
    // Liveness: with valid time a reading is stored every interval (or skipped for want of measurements, which
    // also counts as the loop running).
    const progress = node.stats.signed + node.stats.emptySamples;
    if (!this.#clock!.synced() || progress !== this.#lastSigned) {
      this.#lastSigned = progress;
      this.#lastProgressMs = now;
      return;
    }
    if (now - this.#lastProgressMs > this.#options.stallIntervals * this.config.intervalS * 1000) {
      this.#p.log.error(`no reading for ${this.#options.stallIntervals} intervals; restarting`);
      this.#p.restart('stalled');
    }
  }
}
