// Scripted runs of the ESP32 host's decision-making modules (LED, button, backoff, Wi-Fi link, SNTP gating,
// console protocol, config, MQTT packet ids), written once in plain JavaScript and run both on Node (with the
// TypeScript modules) and in XS (with the firmware bundle's exports): test/hosts/esp32/xs-host-modules.test.ts
// checks that both engines give the same results. Only ECMAScript; `core` is the set of exports.
export function hostScenarios(core) {
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
  const quiet = { info() {}, warn() {}, error() {} };
  const out = {};

  // LED: edges of each pattern over 6 s.
  out.led = {};
  for (const state of ['fault', 'maintenance', 'wifi', 'clock', 'broker', 'online']) {
    const timer = manualTimer();
    const edges = [];
    let last;
    const led = new core.StatusLed((on) => {
      if (on !== last) edges.push([timer.now, on]);
      last = on;
    }, timer);
    led.show(state);
    timer.advance(6000);
    out.led[state] = edges;
  }
  out.ledState = [
    core.ledStateOf({ fault: false, maintenance: false, wifi: true, clockSynced: false, broker: false }),
    core.ledStateOf({ fault: false, maintenance: true, wifi: false, clockSynced: false, broker: false }),
  ];

  // Button: bounce, a glitch, a hold.
  {
    const timer = manualTimer();
    let level = 1;
    const toggles = [];
    const button = new core.MaintenanceButton({ read: () => level, timer, onToggle: (on) => toggles.push([timer.now, on]) });
    const pin = (value, wait) => {
      level = value;
      button.edge();
      timer.advance(wait);
    };
    for (let i = 0; i < 6; i++) pin(i % 2, 3);
    pin(0, 100);
    pin(1, 100);
    pin(0, 5);
    pin(1, 100);
    pin(0, 3000);
    pin(1, 100);
    out.button = toggles;
  }

  // Backoff with a fixed random sequence.
  {
    const values = [0, 0.25, 0.5, 0.75, 0.999];
    let i = 0;
    const backoff = new core.Backoff({ initialMs: 1000, maxMs: 30000, random: () => values[i++ % values.length] });
    const delays = [];
    for (let n = 0; n < 8; n++) delays.push(backoff.next());
    backoff.reset();
    delays.push(backoff.next());
    out.backoff = delays;
  }

  // Wi-Fi link: drops, a silent attempt, an IP.
  {
    const timer = manualTimer();
    const log = [];
    const link = new core.WifiLink({
      connect: () => log.push(['connect', timer.now]),
      disconnect: () => log.push(['disconnect', timer.now]),
      timer,
      backoff: new core.Backoff({ initialMs: 1000, maxMs: 8000 }),
      log: quiet,
      attemptTimeoutMs: 5000,
      onOnline: () => log.push(['online', timer.now]),
      onOffline: () => log.push(['offline', timer.now]),
    });
    link.start();
    link.onMessage('gotIP');
    link.onMessage('disconnect');
    timer.advance(1000);
    timer.advance(6000); // no IP: attempt timeout
    timer.advance(2000);
    link.onMessage('gotIP');
    out.wifi = log;
  }

  // SNTP: refused answers, then a good one; the clock before and after.
  {
    const timer = manualTimer();
    const clock = new core.DeviceClock(() => timer.now, 1767225600);
    const answers = [['timeout'], [undefined, 5], [undefined, 1767229200]];
    const asked = [];
    const sntp = new core.SntpSchedule({
      request: (host, done) => {
        asked.push([host, timer.now]);
        const [error, seconds] = answers.shift() || ['none'];
        timer.set(() => done(error, seconds), 10);
      },
      hosts: ['a', 'b', 'c'],
      clock,
      timer,
      backoff: new core.Backoff({ initialMs: 500 }),
      log: quiet,
    });
    const before = [clock.synced(), clock.now()];
    sntp.setNetwork(true);
    timer.advance(5000);
    out.sntp = { before, asked, after: [clock.synced(), clock.now()] };
  }

  // Console lines, split at awkward places.
  {
    const lines = [];
    const splitter = new core.LineSplitter((line) => lines.push(line));
    const text = 'boot noise\r\nFP1 HELLO\r\nFP1 CLAIM owner=0x' + 'ab'.repeat(20) + ' nonce=' + '11'.repeat(16) + ' lat=-33900000 lon=151200000 at=1767225600\r\nFP1 ERROR claim_closed not now\r\nFP1 BOGUS\n';
    for (let i = 0; i < text.length; i += 13) splitter.push(text.slice(i, i + 13));
    out.console = lines.map((line) => {
      const m = core.parseConsoleLine(line);
      return m ? (m.kind === 'claim' ? [m.kind, m.request.latE6, m.request.lonE6, m.request.signedAt] : m.kind === 'error' ? [m.kind, m.code, m.text] : [m.kind]) : null;
    });
  }

  // Config errors, by field.
  {
    const base = { v: 1, wifiSsid: 'x', wifiPassword: '', broker: 'mqtt://b', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: 0 };
    const bad = [{ intervalS: 1 }, { broker: 'mqtts://b' }, { sensors: [] }, { pins: { led: -2 } }, { extra: 1 }];
    out.config = bad.map((change) => {
      try {
        core.parseDeviceConfig({ ...base, ...change });
        return 'accepted';
      } catch (error) {
        return error.message;
      }
    });
    out.broker = ['mqtts://h.example', 'mqtt://1.2.3.4:99', 'ws://x'].map((url) => core.parseBrokerUrl(url) || null);
  }

  // MQTT packet ids with one message left in flight (the wrap at 65535 is tested on Node; XS is slow at 65k publishes).
  {
    const timer = manualTimer();
    let client;
    const transport = new core.MqttTransport({
      create: (options) => {
        client = { options, written: [], write(data, o) { this.written.push(o.id); return 1024; }, close() {} };
        return client;
      },
      host: 'b',
      port: 1883,
      clientId: 'fp-x',
      timer,
      backoff: new core.Backoff(),
      log: quiet,
    });
    transport.setEvents({ connect() {}, disconnect() {} });
    transport.setNetwork(true);
    client.options.onControl({ operation: 2 });
    for (let i = 0; i < 300; i++) {
      transport.publish('t', Uint8Array.of(1), { qos: 1 }).catch(() => {});
      const id = client.written[client.written.length - 1];
      if (i !== 0) client.options.onControl({ operation: 4, id });
    }
    out.mqttIds = { first: client.written.slice(0, 3), last: client.written.slice(-3), inFlight: transport.inFlight };
  }
  return out;
}
