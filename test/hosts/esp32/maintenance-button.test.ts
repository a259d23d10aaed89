import test from 'ava';
import { MaintenanceButton } from '../../../hosts/esp32/maintenance-button.js';
import { ManualClock, ManualTimer } from '../../helpers/fake-host.js';

function rig(initialLevel = 1) {
  const clock = new ManualClock(0);
  const timer = new ManualTimer(clock);
  let level = initialLevel;
  const toggles: boolean[] = [];
  const button = new MaintenanceButton({ read: () => level, timer, onToggle: (on) => toggles.push(on) });
  /** Set the pin and report the edge, as the digital IO's onReadable would. */
  const pin = (value: number) => {
    level = value;
    button.edge();
  };
  return { timer, pin, toggles, button };
}

test('a clean press toggles maintenance on, the next press off', (t) => {
  const { timer, pin, toggles, button } = rig();
  pin(0);
  timer.advance(60);
  pin(1);
  timer.advance(60);
  t.deepEqual(toggles, [true]);
  t.true(button.maintenance);
  pin(0);
  timer.advance(60);
  t.deepEqual(toggles, [true, false]);
});

test('contact bounce within the debounce time counts as one press', (t) => {
  const { timer, pin, toggles } = rig();
  for (let i = 0; i < 6; i++) {
    pin(i % 2);
    timer.advance(3);
  }
  pin(0);
  timer.advance(100);
  t.deepEqual(toggles, [true]);
});

test('a glitch shorter than the debounce time is not a press', (t) => {
  const { timer, pin, toggles } = rig();
  pin(0);
  timer.advance(5);
  pin(1);
  timer.advance(100);
  t.deepEqual(toggles, []);
});

test('holding the button toggles once; a button held at boot does nothing until released and pressed', (t) => {
  const held = rig(0);
  held.pin(0);
  held.timer.advance(100);
  t.deepEqual(held.toggles, []);
  held.pin(1);
  held.timer.advance(100);
  held.pin(0);
  held.timer.advance(5000);
  held.pin(0);
  held.timer.advance(100);
  t.deepEqual(held.toggles, [true]);
});

test('bad options are refused naming the option', (t) => {
  const timer = new ManualTimer(new ManualClock(0));
  t.throws(() => new MaintenanceButton({ read: undefined as never, timer, onToggle: () => {} }), { instanceOf: TypeError, message: /options.read/ });
  t.throws(() => new MaintenanceButton({ read: () => 1, timer, onToggle: () => {}, debounceMs: 0 }), { instanceOf: RangeError, message: /debounceMs/ });
});
