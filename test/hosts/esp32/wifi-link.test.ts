import test from 'ava';
import { Backoff } from '../../../hosts/esp32/backoff.js';
import { WifiLink, type WifiMessage } from '../../../hosts/esp32/wifi-link.js';
import { silentLog } from '../../../src/core/host.js';
import { ManualClock, ManualTimer } from '../../helpers/fake-host.js';

function rig() {
  const clock = new ManualClock(0);
  const timer = new ManualTimer(clock);
  const connects: number[] = [];
  const events: string[] = [];
  let disconnects = 0;
  const link = new WifiLink({
    connect: () => connects.push(clock.ms),
    disconnect: () => disconnects++,
    timer,
    backoff: new Backoff({ initialMs: 1000, maxMs: 8000 }),
    log: silentLog,
    attemptTimeoutMs: 30_000,
    onOnline: () => events.push('online'),
    onOffline: () => events.push('offline'),
  });
  const say = (m: WifiMessage) => link.onMessage(m);
  return { clock, timer, link, connects, events, say, disconnects: () => disconnects };
}

test('online only once an IP is assigned, not on association', (t) => {
  const r = rig();
  r.link.start();
  r.say('connect');
  t.false(r.link.online);
  r.say('gotIP');
  t.true(r.link.online);
  t.deepEqual(r.events, ['online']);
});

test('after a drop it reconnects by itself, with growing delays until an IP comes', (t) => {
  const r = rig();
  r.link.start();
  r.say('gotIP');
  r.say('disconnect');
  t.deepEqual(r.events, ['online', 'offline']);
  r.timer.advance(1000);
  r.say('disconnect'); // the retry fails at once
  r.timer.advance(2000);
  r.say('disconnect');
  r.timer.advance(4000);
  t.deepEqual(r.connects, [0, 1000, 3000, 7000]);
  r.say('gotIP');
  t.true(r.link.online);
  r.say('disconnect');
  r.timer.advance(1000);
  t.is(r.connects.at(-1), 8000, 'an IP resets the backoff');
});

test('an attempt that gets no IP within the timeout is dropped and retried', (t) => {
  const r = rig();
  r.link.start();
  r.say('connect');
  r.timer.advance(30_000);
  t.is(r.disconnects(), 1);
  r.timer.advance(1000);
  t.deepEqual(r.connects, [0, 31_000]);
});

test('a connect() that throws is retried, not fatal', (t) => {
  const clock = new ManualClock(0);
  const timer = new ManualTimer(clock);
  let calls = 0;
  const link = new WifiLink({
    connect: () => {
      calls++;
      throw new Error('radio busy');
    },
    disconnect: () => {},
    timer,
    backoff: new Backoff({ initialMs: 1000 }),
    log: silentLog,
    onOnline: () => {},
    onOffline: () => {},
  });
  link.start();
  timer.advance(1000);
  t.is(calls, 2);
  t.is(timer.pending, 1);
});
