// Stand-ins for the Moddable SDK modules the device main imports, with the signatures of the SDK files cited in
// hosts/esp32/device/moddable.d.ts, recording what the glue does with them. glue.test.ts bundles
// dist/firmware/main.js with these (one module per specifier) into a script and runs it in XS after the firmware
// bundle, so the glue's wiring runs in the real engine; globalThis.fieldproofGlue lets the test drive it.
const state = {
  config: undefined,
  now: 0,
  timers: new Map(),
  nextTimer: 0,
  prefs: new Map(),
  partitions: new Map(),
  wifi: [],
  wifiConnects: [],
  sntp: [],
  timeSet: [],
  mqtt: [],
  serial: [],
  digital: [],
  resources: new Map(),
  restarts: 0,
  rng: 1,
  traces: [],
};
globalThis.__fieldproofSdk = state;
globalThis.trace = (...values) => state.traces.push(values.join(''));

const BLOCK = 4096;

export const fakes = {
  config: {
    get fieldproof() {
      return state.config;
    },
  },
  Preference: class Preference {
    static get(domain, key) {
      const value = state.prefs.get(`${domain}/${key}`);
      return value instanceof ArrayBuffer ? value.slice(0) : value;
    }
    static set(domain, key, value) {
      if (key.length > 15) throw new Error('NVS key longer than 15 characters');
      state.prefs.set(`${domain}/${key}`, value instanceof ArrayBuffer ? value.slice(0) : value);
    }
    static delete(domain, key) {
      state.prefs.delete(`${domain}/${key}`);
    }
    static keys() {
      return [];
    }
  },
  Flash: class Flash {
    #bytes;
    constructor(name) {
      let bytes = state.partitions.get(name);
      if (!bytes) throw new Error("can't find partition");
      this.#bytes = bytes;
    }
    get byteLength() {
      return this.#bytes.length;
    }
    get blockSize() {
      return BLOCK;
    }
    read(offset, byteLength) {
      return this.#bytes.slice(offset, offset + byteLength).buffer;
    }
    write(offset, byteLength, buffer) {
      if (!(buffer instanceof ArrayBuffer)) throw new TypeError('flash.write: an ArrayBuffer (xsmcToArrayBuffer)');
      const data = new Uint8Array(buffer, 0, byteLength);
      for (let i = 0; i < byteLength; i++) this.#bytes[offset + i] &= data[i];
    }
    erase(sector) {
      this.#bytes.fill(0xff, sector * BLOCK, (sector + 1) * BLOCK);
    }
  },
  WiFi: class WiFi {
    constructor(dictionary, onNotify) {
      state.wifiConnects.push({ ...dictionary });
      this.onNotify = onNotify;
      state.wifi.push(this);
    }
    close() {
      this.onNotify = undefined;
    }
    static connect(dictionary) {
      if (dictionary) state.wifiConnects.push({ ...dictionary });
    }
    static disconnect() {}
  },
  SNTP: class SNTP {
    constructor(options, callback) {
      state.sntp.push({ host: options.host, callback });
    }
    static time = 1;
    static retry = 2;
    static error = -1;
  },
  Time: class Time {
    static set(seconds) {
      state.timeSet.push(seconds);
    }
    static get ticks() {
      return state.now;
    }
  },
  Timer: class Timer {
    static set(callback, delay = 0) {
      const id = { id: ++state.nextTimer };
      state.timers.set(id, { at: state.now + delay, callback });
      return id;
    }
    static clear(id) {
      state.timers.delete(id);
    }
    static delay() {}
  },
  Resource: function Resource(path) {
    const data = state.resources.get(path);
    if (!data) throw new Error(`no resource ${path}`);
    return data;
  },
  MQTTClient: class MQTTClient {
    constructor(options) {
      this.options = options;
      this.written = [];
      this.connected = false;
      state.mqtt.push(this);
    }
    write(data, options) {
      if (!this.connected) throw new Error('not connected');
      this.written.push({ topic: options.topic, bytes: data.byteLength, QoS: options.QoS, retain: options.retain, id: options.id });
      return 4096;
    }
    close() {
      this.connected = false;
    }
    static CONNACK = 2;
    static PUBACK = 4;
  },
  TCP: class TCP {},
  TLSSocket: class TLSSocket {},
  UDP: class UDP {},
  Resolver: class Resolver {},
  SMBus: class SMBus {
    constructor() {
      throw new Error('I2C: no acknowledge (no sensor on this bench)');
    }
  },
  I2C: class I2C {
    constructor() {
      throw new Error('I2C: no acknowledge (no sensor on this bench)');
    }
  },
  Serial: class Serial {
    constructor(options) {
      this.options = options;
      this.written = [];
      this.rx = [];
      state.serial.push(this);
    }
    read() {
      return this.rx.shift();
    }
    write(buffer) {
      let text = '';
      const bytes = new Uint8Array(buffer);
      for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
      this.written.push(text);
    }
    close() {}
  },
  Digital: class Digital {
    constructor(options) {
      this.options = options;
      this.level = 1;
      this.writes = [];
      state.digital.push(this);
    }
    read() {
      return this.level;
    }
    write(value) {
      this.writes.push(value);
    }
    close() {}
    static Input = 0;
    static InputPullUp = 1;
    static Output = 8;
    static Rising = 1;
    static Falling = 2;
  },
  system: {
    resetReason: () => 'poweron',
    restart: () => {
      state.restarts++;
    },
    randomBytes(count) {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = (state.rng = (state.rng * 1103515245 + 12345) >>> 0) >>> 24;
      return out.buffer;
    },
    freeHeap: () => 123456,
    minimumFreeHeap: () => 100000,
  },
};

// XS extension the glue uses (documentation/xs/XS Differences.md).
if (typeof ArrayBuffer.fromString !== 'function') {
  ArrayBuffer.fromString = (text) => {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  };
}

function advance(ms) {
  const end = state.now + ms;
  for (;;) {
    let next;
    for (const entry of state.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
    if (!next) break;
    state.timers.delete(next[0]);
    if (next[1].at > state.now) state.now = next[1].at;
    next[1].callback();
  }
  state.now = end;
}

/** What glue.test.ts sends through the driver's `glue` op. */
globalThis.fieldproofGlue = function control(args) {
  switch (args.action) {
    case 'advance':
      advance(args.ms);
      return null;
    case 'wifi':
      for (const w of state.wifi) w.onNotify?.(args.message);
      return null;
    case 'sntp': {
      const request = state.sntp[state.sntp.length - 1];
      request.callback(args.message, args.value);
      return null;
    }
    case 'connack': {
      const client = state.mqtt[state.mqtt.length - 1];
      client.connected = true;
      client.options.onControl({ operation: 2, id: 0 });
      return null;
    }
    case 'puback': {
      const client = state.mqtt[state.mqtt.length - 1];
      for (const w of client.written) if (w.QoS === 1 && !w.acked) {
        w.acked = true;
        client.options.onControl({ operation: 4, id: w.id });
      }
      return null;
    }
    case 'console': {
      const port = state.serial.find((s) => s.options.port === args.port);
      port.rx.push(ArrayBuffer.fromString(args.text));
      port.options.onReadable.call(port, args.text.length);
      return null;
    }
    case 'state': {
      const client = state.mqtt[state.mqtt.length - 1];
      return {
        traces: state.traces.slice(),
        prefs: [...state.prefs.keys()],
        keyBytes: state.prefs.get('fieldproof/key.v1')?.byteLength ?? 0,
        wifiConnects: state.wifiConnects,
        sntpHosts: state.sntp.map((s) => s.host),
        timeSet: state.timeSet,
        mqtt: client
          ? { host: client.options.host, port: client.options.port, id: client.options.id, keepalive: client.options.keepalive, will: !!client.options.will, dns: client.options.dns.servers, socket: client.options.socket.io.name, tcp: client.options.socket.TCP?.io?.name ?? null, secure: client.options.socket.secure ? Object.keys(client.options.socket.secure) : null, written: client.written.map((w) => ({ topic: w.topic, QoS: w.QoS, retain: w.retain })) }
          : null,
        serial: state.serial.map((s) => ({ port: s.options.port, receive: s.options.receive, transmit: s.options.transmit, baud: s.options.baud, written: s.written })),
        digital: state.digital.map((d) => ({ pin: d.options.pin, mode: d.options.mode, writes: d.writes.length })),
        restarts: state.restarts,
      };
    }
    default:
      throw new Error(`fieldproofGlue: unknown action ${args.action}`);
  }
};

/** Set up the board before the glue runs: its node config and an erased outbox partition. */
export function prepare(config, options = {}) {
  state.config = JSON.stringify(config);
  state.partitions.set(config.outboxPartition ?? 'fpoutbox', new Uint8Array((options.sectors ?? 8) * BLOCK).fill(0xff));
  for (const [name, bytes] of Object.entries(options.resources ?? {})) state.resources.set(name, bytes);
}
