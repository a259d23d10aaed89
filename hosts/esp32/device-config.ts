// The node configuration the firmware reads at boot (DeviceConfigV1). `fieldproof flash` validates it with this
// very function and writes it into the build (manifest "config", read on the device through Moddable's
// "mc/config"); the firmware validates it again at boot and refuses to start on a bad one, naming the field.
// Wi-Fi and broker passwords end up in the firmware image: enable flash encryption (docs/HARDWARE.md) on a
// node that leaves the bench.

export type SensorType = 'bme280' | 'sht4x' | 'scd4x' | 'pms5003' | 'sds011';
export const SENSOR_TYPES: readonly SensorType[] = Object.freeze(['bme280', 'sht4x', 'scd4x', 'pms5003', 'sds011']);
export const I2C_SENSORS: readonly SensorType[] = Object.freeze(['bme280', 'sht4x', 'scd4x']);

export interface SensorConfig {
  type: SensorType;
  /** I2C address override (bme280 0x76/0x77). */
  address?: number;
}

export interface PinConfig {
  sda: number;
  scl: number;
  /** UART for the particulate sensor: ESP32 RX pin (sensor TX) and TX pin (sensor RX). */
  uartRx: number;
  uartTx: number;
  uartPort: number;
  /** -1: the board has no plain LED / no free button. */
  led: number;
  button: number;
  /**
   * The UART the provisioning console reads (FP1 lines): port and pins of the USB-serial bridge. -1: the console
   * is USB CDC (ESP32-C3/S3 boards without a bridge), which the firmware can print to but not read.
   */
  consolePort: number;
  consoleRx: number;
  consoleTx: number;
}

export interface DeviceConfigV1 {
  v: 1;
  wifiSsid: string;
  wifiPassword: string;
  /** mqtt://host[:port] or mqtts://host[:port]. */
  broker: string;
  mqttUser?: string;
  mqttPassword?: string;
  /** Resource name of the broker's CA certificate (DER) when the broker URL is mqtts://. */
  tlsCa?: string;
  intervalS: number;
  sensors: SensorConfig[];
  pins: PinConfig;
  sntpHosts: string[];
  /** Name of the raw data partition the outbox lives in (partitions.csv). */
  outboxPartition: string;
  outboxCapacity: number;
  /** Firmware build time, Unix s: SNTP answers before it are refused. */
  builtAt: number;
}

/** esp32/nodemcu (DevKitC-style boards): I2C on 21/22, UART2 on 16/17, LED on 2, BOOT button on 0. */
export const DEFAULT_PINS: Readonly<PinConfig> = Object.freeze({
  sda: 21,
  scl: 22,
  uartRx: 16,
  uartTx: 17,
  uartPort: 2,
  led: 2,
  button: 0,
  // UART0 on GPIO 3 (RX) and 1 (TX), wired to the board's USB-serial bridge.
  consolePort: 0,
  consoleRx: 3,
  consoleTx: 1,
});
export const DEFAULT_SNTP_HOSTS: readonly string[] = Object.freeze(['pool.ntp.org', 'time.google.com', 'time.cloudflare.com']);

export interface BrokerAddress {
  tls: boolean;
  host: string;
  port: number;
}

/** Parse mqtt://host[:port] / mqtts://host[:port] without the URL class (XS has none). */
export function parseBrokerUrl(url: string): BrokerAddress | undefined {
  const m = /^(mqtts?):\/\/([A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?\/?$/.exec(url);
  if (!m) return undefined;
  const tls = m[1] === 'mqtts';
  const port = m[3] === undefined ? (tls ? 8883 : 1883) : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { tls, host: m[2]!, port };
}

/** Validate a raw config object. Throws TypeError/RangeError naming the first bad field. */
export function parseDeviceConfig(raw: unknown): DeviceConfigV1 {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('config: expected an object');
  const c = raw as Record<string, unknown>;
  const known = ['v', 'wifiSsid', 'wifiPassword', 'broker', 'mqttUser', 'mqttPassword', 'tlsCa', 'intervalS', 'sensors', 'pins', 'sntpHosts', 'outboxPartition', 'outboxCapacity', 'builtAt'];
  for (const key of Object.keys(c)) if (!known.includes(key)) throw new RangeError(`config.${key}: unknown field`);
  if (c.v !== 1) throw new RangeError('config.v: expected 1');
  const text = (name: string, min: number, max: number, optional = false): string | undefined => {
    const value = c[name];
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string' || value.length < min || value.length > max || !/^[\x20-\x7e]*$/.test(value)) {
      throw new TypeError(`config.${name}: printable ASCII text of ${min} to ${max} characters`);
    }
    return value;
  };
  const integer = (name: string, min: number, max: number): number => {
    const value = c[name];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw new RangeError(`config.${name}: an integer from ${min} to ${max}`);
    return value as number;
  };
  // IEEE 802.11: SSID up to 32 octets; WPA2 passphrase 8..63 characters (or empty for an open network).
  const wifiSsid = text('wifiSsid', 1, 32)!;
  const wifiPassword = text('wifiPassword', 0, 63)!;
  if (wifiPassword.length > 0 && wifiPassword.length < 8) throw new RangeError('config.wifiPassword: empty (open network) or 8 to 63 characters (WPA2)');
  const broker = text('broker', 8, 270)!;
  const address = parseBrokerUrl(broker);
  if (!address) throw new TypeError('config.broker: mqtt://host[:port] or mqtts://host[:port]');
  const tlsCa = text('tlsCa', 1, 64, true);
  if (tlsCa !== undefined && !address.tls) throw new RangeError('config.tlsCa: only with an mqtts:// broker');
  // Moddable's TLS trusts only the certificates built into the firmware: without the broker's CA it cannot connect.
  if (tlsCa === undefined && address.tls) throw new RangeError("config.tlsCa: required with an mqtts:// broker (the broker's CA certificate)");
  const sensors = c.sensors;
  if (!Array.isArray(sensors) || sensors.length === 0 || sensors.length > 4) throw new RangeError('config.sensors: 1 to 4 sensors');
  const seen = new Set<string>();
  const parsedSensors: SensorConfig[] = sensors.map((s: unknown, i: number) => {
    const o = s as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || !SENSOR_TYPES.includes(o.type as SensorType)) throw new RangeError(`config.sensors[${i}].type: one of ${SENSOR_TYPES.join(', ')}`);
    if (seen.has(o.type as string)) throw new RangeError(`config.sensors[${i}].type: ${String(o.type)} listed twice`);
    seen.add(o.type as string);
    if (o.address !== undefined && (!Number.isInteger(o.address) || (o.address as number) < 0x08 || (o.address as number) > 0x77)) {
      throw new RangeError(`config.sensors[${i}].address: a 7-bit I2C address 0x08..0x77`);
    }
    if (o.address !== undefined && !I2C_SENSORS.includes(o.type as SensorType)) throw new RangeError(`config.sensors[${i}].address: only for I2C sensors`);
    return o.address === undefined ? { type: o.type as SensorType } : { type: o.type as SensorType, address: o.address as number };
  });
  if (seen.has('pms5003') && seen.has('sds011')) throw new RangeError('config.sensors: pms5003 and sds011 share the one UART; choose one');
  const pinsRaw = (c.pins ?? {}) as Record<string, unknown>;
  if (typeof pinsRaw !== 'object' || Array.isArray(pinsRaw)) throw new TypeError('config.pins: an object');
  const pins = { ...DEFAULT_PINS } as PinConfig;
  for (const [key, value] of Object.entries(pinsRaw)) {
    if (!(key in DEFAULT_PINS)) throw new RangeError(`config.pins.${key}: unknown pin`);
    const max = key === 'uartPort' || key === 'consolePort' ? 2 : 48; // GPIO 0..39 on the ESP32, up to 48 on the S3; UART 0..2
    const min = key === 'led' || key === 'button' || key.startsWith('console') ? -1 : 0; // -1: not fitted
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw new RangeError(`config.pins.${key}: an integer from ${min} to ${max}`);
    (pins as unknown as Record<string, number>)[key] = value as number;
  }
  const sntp = c.sntpHosts ?? [...DEFAULT_SNTP_HOSTS];
  if (!Array.isArray(sntp) || sntp.length === 0 || sntp.some((h) => typeof h !== 'string' || !/^[A-Za-z0-9.-]{1,253}$/.test(h))) {
    throw new TypeError('config.sntpHosts: a list of host names');
  }
  const config: DeviceConfigV1 = {
    v: 1,
    wifiSsid,
    wifiPassword,
    broker,
    intervalS: integer('intervalS', 10, 86_400),
    sensors: parsedSensors,
    pins,
    sntpHosts: sntp as string[],
    outboxPartition: c.outboxPartition === undefined ? 'fpoutbox' : text('outboxPartition', 1, 16)!,
    outboxCapacity: c.outboxCapacity === undefined ? 2000 : integer('outboxCapacity', 1, 100_000),
    builtAt: integer('builtAt', 0, 2 ** 40),
  };
  const user = text('mqttUser', 1, 64, true);
  const password = text('mqttPassword', 0, 128, true);
  if (user !== undefined) config.mqttUser = user;
  if (password !== undefined) config.mqttPassword = password;
  if (tlsCa !== undefined) config.tlsCa = tlsCa;
  return config;
}
