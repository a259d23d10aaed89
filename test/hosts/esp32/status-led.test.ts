import test from 'ava';
import { LED_PATTERNS, ledStateOf, StatusLed } from '../../../hosts/esp32/status-led.js';
import { ManualClock, ManualTimer } from '../../helpers/fake-host.js';

const ok = { fault: false, maintenance: false, wifi: true, clockSynced: true, broker: true };

test('state priority: fault, maintenance, wifi, clock, broker, online', (t) => {
  t.is(ledStateOf(ok), 'online');
  t.is(ledStateOf({ ...ok, broker: false }), 'broker');
  t.is(ledStateOf({ ...ok, broker: false, clockSynced: false }), 'clock');
  t.is(ledStateOf({ ...ok, wifi: false, clockSynced: false }), 'wifi');
  t.is(ledStateOf({ ...ok, wifi: false, maintenance: true }), 'maintenance');
  t.is(ledStateOf({ ...ok, maintenance: true, fault: true }), 'fault');
});

/** LED level at each ms over `ms` milliseconds. */
function trace(state: keyof typeof LED_PATTERNS, ms: number): number[] {
  const clock = new ManualClock(0);
  const timer = new ManualTimer(clock);
  let level = false;
  const led = new StatusLed((on) => (level = on), timer);
  led.show(state);
  const levels: number[] = [];
  for (let i = 0; i < ms; i++) {
    levels.push(level ? 1 : 0);
    timer.advance(1);
  }
  return levels;
}

test('the maintenance pattern is a double blink repeating every 1.5 s', (t) => {
  const levels = trace('maintenance', 3000);
  const edges = levels.flatMap((v, i) => (i > 0 && v !== levels[i - 1] ? [i] : []));
  t.deepEqual(edges, [150, 300, 450, 1500, 1650, 1800, 1950]);
  t.is(levels[0], 1);
});

test('online is a short heartbeat: lit 1 % of the time', (t) => {
  const levels = trace('online', 10_000);
  t.is(levels.reduce((a, b) => a + b, 0), 100);
});

test('showing the same state again keeps the pattern in phase; a new state restarts it lit', (t) => {
  const clock = new ManualClock(0);
  const timer = new ManualTimer(clock);
  const writes: boolean[] = [];
  const led = new StatusLed((on) => writes.push(on), timer);
  led.show('wifi');
  timer.advance(250);
  led.show('wifi');
  t.deepEqual(writes, [true]);
  led.show('fault');
  t.deepEqual(writes, [true, true]);
  t.is(timer.pending, 1);
  led.stop();
  t.is(timer.pending, 0);
  t.is(writes.at(-1), false);
});
