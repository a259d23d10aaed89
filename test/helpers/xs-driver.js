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
    environment() {
      const kinds = {};
      for (const name of ['TextEncoder', 'TextDecoder', 'Base64', 'crypto', 'Buffer', 'process', 'console', 'harden', 'setImmediate', 'global']) {
        kinds[name] = typeof globalThis[name];
      }
      return kinds;
    },
  };

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
