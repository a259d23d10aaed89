// XS test driver: a *script* (not a module) that test/helpers/xs-core.ts evaluates in an xsnap worker after the
// firmware bundle. It uses nothing but globalThis.fieldproofCore (the bundle's exports) and plain ECMAScript, and
// answers JSON commands: {op, args} in, {ok: true, result} or {ok: false, error} out. Bytes travel as hex.
// The JSON text is ASCII both ways (the Node side escapes anything else), so no TextEncoder/TextDecoder is needed:
// the helper hides xsnap's, as a Moddable device has none unless its manifest adds them.
'use strict';
(function installDriver() {
  const core = globalThis.fieldproofCore;
  if (typeof core !== 'object' || core === null) throw new Error('xs-driver: globalThis.fieldproofCore is missing');
  const { fromHex, toHex } = core;

  const DEFAULTS = {
    seq: 0,
    time: 1767225600,
    firmware: '0a1b2c3d',
    flags: { backfilled: false, maintenance: false },
    values: { temperature: 21.37, humidity: 45.5, pressure: 101325, pm2_5: 12.3 },
  };

  // What a device does at boot: sequence record, allocator, outbox, transport, clock, timer, log, sensors, node.
  function makeNode(args) {
    const seq = args.seq ?? DEFAULTS.seq;
    const time = args.time ?? DEFAULTS.time;
    const flags = args.flags ?? DEFAULTS.flags;
    const values = args.values ?? DEFAULTS.values;
    const signer = core.createNobleSigner(fromHex(args.secretKey));
    const storage = new core.MemoryStorage();
    core.writeSequenceFloor(storage, seq);
    const sequence = new core.SequenceAllocator(storage, { blockSize: 64 });
    const outbox = new core.MemoryOutbox(16);
    const transport = {
      connected: !flags.backfilled,
      publish() {
        return Promise.resolve();
      },
      setEvents() {},
    };
    const clock = { now: () => time * 1000, synced: () => true, monotonic: () => 0 };
    const timer = { set: () => 0, clear() {} };
    const errors = [];
    const log = { info() {}, warn() {}, error: (message) => errors.push(message) };
    const sensorErrors = [];
    const sampler = new core.Sampler(
      [
        {
          name: 'fixed',
          sensor: { sample: () => ({ ...values }) },
          fields: Object.keys(values).map((quantity) => ({ path: [quantity], quantity })),
        },
      ],
      (error) => sensorErrors.push(error),
    );
    const node = new core.FieldNode(
      { clock, timer, signer, sequence, outbox, transport, sampler, log },
      { intervalMs: 60000, firmwareBuild: fromHex(args.firmware ?? DEFAULTS.firmware), firmwareVersion: 'xs-driver' },
    );
    node.setMaintenance(!!flags.maintenance);
    return { node, signer, errors, sensorErrors };
  }

  function cycleOnce(state) {
    const result = state.node.cycle();
    if (result.kind !== 'stored') {
      throw new Error(`FieldNode.cycle(): ${result.kind} ${result.reason}: ${result.detail}; log: ${state.errors.join('; ')}`);
    }
    if (state.sensorErrors.length > 0) throw new Error(`sampler: ${JSON.stringify(state.sensorErrors)}`);
    return result;
  }

  function setWindow(window) {
    if (window !== undefined && window !== null) core.setPrecomputeWindow(window);
  }

  let current; // the node kept between commands (setup / cycle / signBare), as it lives on a device

  // Every op returns a value, or a promise for ops that let the node's outbox drain between readings.
  const ops = {
    signReading(args) {
      setWindow(args.window);
      const result = cycleOnce(makeNode(args));
      const envelope = core.decodeSign1(result.message);
      if (!envelope.ok) throw new Error(`decodeSign1 of our own message: ${envelope.reason}: ${envelope.detail}`);
      return { cose: toHex(result.message), payload: toHex(envelope.parts.payload), seq: result.seq };
    },
    async signMany(args) {
      setWindow(args.window);
      const state = makeNode(args);
      let last;
      for (let i = 0; i < args.count; i++) {
        last = cycleOnce(state);
        await state.node.drain(); // published and acknowledged before the next reading, as on a device
      }
      return { count: args.count, lastSeq: last ? last.seq : null, lastCose: last ? toHex(last.message) : null };
    },
    verify(args) {
      const envelope = core.decodeSign1(fromHex(args.cose));
      if (!envelope.ok) return false;
      return core.verifySign1(envelope.parts, fromHex(args.publicKey), core.nobleVerify);
    },
    // Finer-grained steps for the bench.
    setWindow(args) {
      setWindow(args.window);
      return null;
    },
    publicKey(args) {
      return toHex(core.publicKeyOf(fromHex(args.secretKey)));
    },
    setup(args) {
      setWindow(args.window);
      current = makeNode(args);
      return { deviceId: current.node.deviceIdHex };
    },
    async cycle(args) {
      if (!current) throw new Error('cycle: no node; run setup first');
      let last;
      for (let i = 0; i < args.count; i++) {
        last = cycleOnce(current);
        await current.node.drain();
      }
      return { count: args.count, lastSeq: last ? last.seq : null, stats: { ...current.node.stats } };
    },
    signBare(args) {
      if (!current) throw new Error('signBare: no node; run setup first');
      const message = fromHex(args.message);
      let signature;
      for (let i = 0; i < args.count; i++) signature = current.signer.sign(message);
      return toHex(signature);
    },
    gc() {
      globalThis.gc();
      return null;
    },
    /** Controls of a script evaluated later (the device glue on SDK fakes defines globalThis.fieldproofGlue). */
    async glue(args) {
      if (typeof globalThis.fieldproofGlue !== 'function') throw new Error('glue: no glue script loaded');
      const result = globalThis.fieldproofGlue(args);
      for (let i = 0; i < 30; i++) await Promise.resolve();
      return result;
    },
    environment() {
      const kinds = {};
      for (const name of ['TextEncoder', 'TextDecoder', 'Base64', 'crypto', 'Buffer', 'process', 'console', 'harden', 'setImmediate', 'global']) {
        kinds[name] = typeof globalThis[name];
      }
      return kinds;
    },
  };

  // ---------------------------------------------------------------------------------------------------------
  // The firmware composition (FieldDevice) on fakes of the Moddable modules, as test/hosts/esp32/field-device.test.ts
  // runs it on Node: a manual timer, an emulated NOR partition, a stand-in for the ECMA-419 MQTT client that
  // acknowledges every QoS 1 publish, Wi-Fi and SNTP driven by the ops. The board (NVS, flash) outlives a reboot.

  function manualTimer() {
    let now = 0;
    let nextId = 0;
    const tasks = new Map();
    return {
      get now() {
        return now;
      },
      set(callback, delay) {
        const id = ++nextId;
        tasks.set(id, { at: now + delay, callback });
        return id;
      },
      clear(id) {
        tasks.delete(id);
      },
      /** Fire due callbacks in time order up to now + ms. */
      advance(ms) {
        const end = now + ms;
        for (;;) {
          let next;
          for (const entry of tasks) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
          if (!next) break;
          tasks.delete(next[0]);
          if (next[1].at > now) now = next[1].at;
          next[1].callback();
        }
        now = end;
      },
    };
  }

  function norFlash(sectors, blockSize) {
    const bytes = new Uint8Array(sectors * blockSize).fill(0xff);
    return {
      byteLength: bytes.length,
      blockSize,
      read: (offset, length) => bytes.slice(offset, offset + length),
      write(offset, data) {
        for (let i = 0; i < data.length; i++) bytes[offset + i] &= data[i];
      },
      erase(sector) {
        bytes.fill(0xff, sector * blockSize, (sector + 1) * blockSize);
      },
    };
  }

  function fakeBroker(log) {
    const broker = { clients: [], published: [] };
    broker.create = (options) => {
      const client = {
        options,
        connected: false,
        write(data, o) {
          if (!client.connected) throw new Error('not connected');
          broker.published.push({ topic: o.topic, payload: toHex(new Uint8Array(data)), qos: o.QoS, retain: o.retain });
          if (o.QoS === 1) Promise.resolve().then(() => client.connected && options.onControl({ operation: 4, id: o.id }));
          return 1024;
        },
        close() {
          client.connected = false;
        },
      };
      broker.clients.push(client);
      log.push(`mqtt: connecting to ${options.host}:${options.port} as ${options.id}`);
      return client;
    };
    return broker;
  }

  async function settle() {
    for (let i = 0; i < 30; i++) await Promise.resolve();
  }

  let board; // {storage, flash, rng}
  let dev; // {device, timer, broker, console, wifi}

  function makeBoard(args) {
    let seed = args.rngSeed ?? 12345;
    board = {
      storage: new core.MemoryStorage(),
      flash: norFlash(args.sectors ?? 16, 4096),
      rng: {
        bytes(n) {
          const out = new Uint8Array(n);
          for (let i = 0; i < n; i++) out[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
          return out;
        },
      },
    };
  }

  function deviceBoot(args) {
    if (!board || !args.keepBoard) makeBoard(args);
    const timer = manualTimer();
    const lines = [];
    const broker = fakeBroker(lines);
    const state = { timer, broker, console: lines, wifi: undefined, restarts: [] };
    const config = core.parseDeviceConfig(args.config);
    state.device = new core.FieldDevice(
      {
        storage: board.storage,
        rng: board.rng,
        timer,
        ticks: () => timer.now,
        log: { info() {}, warn() {}, error: (m) => lines.push(`error: ${m}`) },
        print: (line) => lines.push(line),
        outboxFlash: board.flash,
        wifiConnect: (onMessage) => (state.wifi = onMessage),
        wifiDisconnect() {},
        sntpRequest: (host, done) => timer.set(() => done(undefined, args.sntpSeconds + Math.floor(timer.now / 1000)), 50),
        mqtt: broker.create,
        sensors: [{ name: 'fixed', sensor: { sample: () => ({ thermometer: { temperature: 21.5 }, hygrometer: { humidity: 40.25 }, barometer: { pressure: 97_123.5 } }) }, fields: [core.FIELDS.thermometer, core.FIELDS.hygrometer, core.FIELDS.barometer] }],
        led() {},
        diagnostics: () => ({ freeHeap: 60000, resetReason: 'poweron' }),
        restart: (reason) => state.restarts.push(reason),
      },
      config,
      { version: 'xs-driver', build: fromHex('0a1b2c3d') },
    );
    state.device.start();
    dev = state;
    return { console: lines.slice(), depth: state.device.outbox.depth };
  }

  function deviceSummary() {
    const node = dev.device.node;
    return { stats: { ...node.stats }, depth: dev.device.outbox.depth, led: dev.device.ledState ?? null, published: dev.broker.published.length, restarts: dev.restarts.slice() };
  }

  Object.assign(ops, {
    /** A blank board (NVS and an emulated outbox partition) for deviceBoot({keepBoard: true}). */
    deviceBoard(args) {
      makeBoard(args);
      return null;
    },
    deviceBoot,
    async deviceOnline() {
      if (!dev) throw new Error('deviceOnline: no device; run deviceBoot first');
      dev.wifi('connect');
      dev.wifi('gotIP');
      dev.timer.advance(100); // SNTP answers
      const client = dev.broker.clients[dev.broker.clients.length - 1];
      client.connected = true;
      client.options.onControl({ operation: 2, id: 0 }); // CONNACK
      await settle();
      return deviceSummary();
    },
    async deviceAdvance(args) {
      if (!dev) throw new Error('deviceAdvance: no device; run deviceBoot first');
      for (let t = 0; t < args.ms; t += 1000) {
        dev.timer.advance(Math.min(1000, args.ms - t));
        await settle();
      }
      return deviceSummary();
    },
    /** The broker goes away: the connection errors and later attempts never get a CONNACK. */
    deviceBrokerDown() {
      const client = dev.broker.clients[dev.broker.clients.length - 1];
      client.connected = false;
      client.options.onError();
      return deviceSummary();
    },
    /** Messages published since the last call (the list is emptied, so it does not grow in the heap). */
    devicePublished() {
      return dev.broker.published.splice(0);
    },
    deviceConsole(args) {
      const before = dev.console.length;
      dev.device.consoleLine(args.line);
      return dev.console.slice(before);
    },
    /** A reading cycle exactly as the timer runs it: sample, encode, sign, outbox append; then drain (publish, ack, remove). */
    async deviceCycle(args) {
      const node = dev.device.node;
      let last;
      for (let i = 0; i < args.count; i++) {
        last = node.cycle();
        if (last.kind !== 'stored') throw new Error(`cycle: ${last.kind} ${last.reason}: ${last.detail}`);
        await node.drain();
      }
      return { lastSeq: last ? last.seq : null, depth: dev.device.outbox.depth };
    },
  });

  // Parts of a reading cycle, each alone, for the bench: sample, encode, sign, outbox append (and its removal).
  let parts;
  Object.assign(ops, {
    partsSetup(args) {
      setWindow(args.window);
      const signer = core.createNobleSigner(fromHex(args.secretKey));
      const sampler = new core.Sampler(
        [{ name: 'fixed', sensor: { sample: () => ({ thermometer: { temperature: 21.5 }, hygrometer: { humidity: 40.25 }, barometer: { pressure: 97_123.5 } }) }, fields: [core.FIELDS.thermometer, core.FIELDS.hygrometer, core.FIELDS.barometer] }],
        () => {},
      );
      const outbox = new core.FlashOutbox(norFlash(16, 4096), { capacity: 1000 });
      const measurements = sampler.sample();
      const reading = { deviceId: core.deviceIdOf(signer.publicKey), seq: 1, time: 1767225600, measurements, firmware: fromHex('0a1b2c3d'), flags: { backfilled: false, maintenance: false } };
      const payload = core.encodeReading(reading);
      parts = { signer, sampler, outbox, reading, payload, message: core.signSign1(payload, signer), seq: 0 };
      return { payloadBytes: payload.length, messageBytes: parts.message.length };
    },
    partSample(args) {
      for (let i = 0; i < args.count; i++) parts.sampler.sample();
      return null;
    },
    partEncode(args) {
      for (let i = 0; i < args.count; i++) core.encodeReading({ ...parts.reading, seq: i });
      return null;
    },
    partSign(args) {
      for (let i = 0; i < args.count; i++) core.signSign1(parts.payload, parts.signer);
      return null;
    },
    partOutboxAppend(args) {
      for (let i = 0; i < args.count; i++) parts.outbox.append({ seq: parts.seq++, message: parts.message });
      return { depth: parts.outbox.depth };
    },
    partOutboxRemove(args) {
      for (const entry of parts.outbox.peek(args.count)) parts.outbox.remove(entry.seq);
      return { depth: parts.outbox.depth };
    },
  });

  function asciiText(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = '';
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] > 0x7e) throw new Error('xs-driver: command is not ASCII JSON');
      text += String.fromCharCode(bytes[i]);
    }
    return text;
  }

  function asciiBuffer(value) {
    const text = JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  }

  function failure(error) {
    return { ok: false, error: { name: error && error.name, message: error && error.message ? error.message : String(error), stack: error && error.stack } };
  }

  // xsnap: a command may answer later by setting `result` on the returned object before the job queue drains.
  globalThis.handleCommand = function handleCommand(buffer) {
    const reply = {};
    try {
      const { op, args } = JSON.parse(asciiText(buffer));
      if (!Object.prototype.hasOwnProperty.call(ops, op)) throw new Error(`xs-driver: unknown op ${op}`);
      const value = ops[op](args ?? {});
      if (value && typeof value.then === 'function') {
        value.then(
          (result) => {
            reply.result = asciiBuffer({ ok: true, result });
          },
          (error) => {
            reply.result = asciiBuffer(failure(error));
          },
        );
        return reply;
      }
      return asciiBuffer({ ok: true, result: value });
    } catch (error) {
      return asciiBuffer(failure(error));
    }
  };
})();
