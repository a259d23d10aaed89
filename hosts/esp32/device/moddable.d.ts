// Declarations of the Moddable SDK modules the device main uses, for type-checking it here without the SDK
// (tsconfig.json in this folder; no Node types). Each declares only what main.ts calls, as the cited SDK file
// implements it; where the SDK ships typings (typings/*.d.ts) they agree with these.

declare function trace(...values: unknown[]): void;

/** modules/files/preference/preference.js (ESP32: NVS via modules/files/preference/esp32/modPreference.c). */
declare module 'preference' {
  export default class Preference {
    static get(domain: string, key: string): boolean | number | string | ArrayBuffer | undefined;
    static set(domain: string, key: string, value: boolean | number | string | ArrayBuffer): void;
    static delete(domain: string, key: string): void;
    static keys(domain: string): string[];
  }
}

/** modules/files/flash/flash.js: a raw partition by name; offsets and sectors relative to it. */
declare module 'flash' {
  export default class Flash {
    constructor(partition: string);
    erase(sector: number): void;
    read(offset: number, byteLength: number): ArrayBuffer;
    write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void;
    readonly byteLength: number;
    readonly blockSize: number;
  }
}

/** typings/wifi.d.ts, modules/network/wifi. */
declare module 'wifi' {
  export type WiFiMessage = 'connect' | 'gotIP' | 'disconnect' | 'lostIP';
  export default class WiFi {
    constructor(options: { ssid: string; password?: string }, callback: (message: WiFiMessage) => void);
    close(): void;
    static connect(options?: { ssid: string; password?: string }): void;
    static disconnect(): void;
    static mode: number;
  }
}

/** typings/sntp.d.ts, modules/network/sntp/sntp.js: callback(message, seconds). */
declare module 'sntp' {
  export default class SNTP {
    constructor(options: { host: string }, callback: (message: number, value?: number) => void);
    close(): void;
    static readonly time: 1;
    static readonly retry: 2;
    static readonly error: -1;
  }
}

/** modules/base/time/time.js. */
declare module 'time' {
  export default class Time {
    static set(seconds: number): void;
    static readonly ticks: number;
  }
}

/** modules/base/timer/timer.js. */
declare module 'timer' {
  export type TimerHandle = object;
  export default class Timer {
    static set(callback: () => void, delay?: number): TimerHandle;
    static clear(handle: TimerHandle): void;
    static delay(ms: number): void;
  }
}

/** modules/files/resource/Resource.js: a read-only buffer in flash. */
declare module 'Resource' {
  export default class Resource extends ArrayBuffer {
    constructor(path: string);
    static exists(path: string): boolean;
  }
}

/** mcconfig writes the manifest's "config" object into this module. */
declare module 'mc/config' {
  const config: { fieldproof?: string; [key: string]: unknown };
  export default config;
}

/** modules/base/instrumentation: XS heap counters for the status message. */
declare module 'instrumentation' {
  export default class Instrumentation {
    static get(what: number): number;
    static map(name: string): number;
  }
}

/** examples/io/tcp/mqttclient/mqttclient.js (typings/embedded_network/mqtt/client.d.ts). */
declare module 'embedded:network/mqtt/client' {
  export default class MQTTClient {
    constructor(options: Record<string, unknown>);
    write(data: Uint8Array | ArrayBuffer | null, options?: Record<string, unknown>): number;
    close(): void;
    static readonly CONNACK: 2;
    static readonly PUBACK: 4;
  }
}

/** ECMA-419 IO classes (typings/embedded_io/*.d.ts): constructed with an options object, closed with close(). */
declare module 'embedded:io/socket/tcp' {
  export default class TCP {
    constructor(options: Record<string, unknown>);
    close(): void;
  }
}
/**
 * examples/io/tcp/tlssocket/tlssocket.js (with modules/crypt/tls_419.json), mapped to this name by manifest.json:
 * TLS over an ECMA-419 TCP socket given as options.TCP; options.secure goes to the SSL session (certificate: DER).
 */
declare module 'fieldproof/tlssocket' {
  export default class TLSSocket {
    constructor(options: Record<string, unknown>);
    close(): void;
  }
}
declare module 'embedded:io/socket/udp' {
  export default class UDP {
    constructor(options: Record<string, unknown>);
    close(): void;
  }
}
/** examples/io/udp/dns: the resolver the ECMA-419 MQTT client takes as options.dns.io. */
declare module 'embedded:network/dns/resolver/udp' {
  export default class Resolver {
    constructor(options: Record<string, unknown>);
    close(): void;
  }
}
declare module 'embedded:io/smbus' {
  export default class SMBus {
    constructor(options: Record<string, unknown>);
    close(): void;
    readUint8(register: number): number;
    writeUint8(register: number, value: number): void;
    readBuffer(register: number, buffer: Uint8Array): unknown;
    read(count: number | ArrayBufferView): ArrayBuffer;
    write(buffer: ArrayBufferView | ArrayBuffer): void;
  }
}
declare module 'embedded:io/i2c' {
  export default class I2C {
    constructor(options: Record<string, unknown>);
    close(): void;
    read(count: number | ArrayBufferView): ArrayBuffer;
    write(buffer: ArrayBufferView | ArrayBuffer): void;
  }
}
declare module 'embedded:io/serial' {
  export default class Serial {
    constructor(options: Record<string, unknown>);
    close(): void;
    read(): ArrayBuffer | undefined;
    write(buffer: ArrayBufferView | ArrayBuffer): void;
  }
}
declare module 'embedded:io/digital' {
  export default class Digital {
    constructor(options: { pin: number; mode: number; edge?: number; onReadable?: () => void });
    read(): number;
    write(value: number): void;
    close(): void;
    static readonly Input: number;
    static readonly InputPullUp: number;
    static readonly Output: number;
    static readonly Rising: number;
    static readonly Falling: number;
  }
}

/** hosts/esp32/device/native/system.js + system.c: what ESP-IDF knows and XS does not expose. */
declare module 'fieldproof/system' {
  export function resetReason(): string;
  export function restart(): never;
  export function randomBytes(count: number): ArrayBuffer;
  export function freeHeap(): number;
  export function minimumFreeHeap(): number;
}

/** XS extensions (documentation/xs/XS Differences.md): ArrayBuffer.fromString, String.fromArrayBuffer. */
interface ArrayBufferConstructor {
  fromString(text: string): ArrayBuffer;
}
