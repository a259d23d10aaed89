import test from 'ava';
import { Backoff } from '../../../hosts/esp32/backoff.js';
import { DeviceClock, SntpSchedule } from '../../../hosts/esp32/device-clock.js';
import { silentLog } from '../../../src/core/host.js';
import { ManualClock, ManualTimer } from '../../helpers/fake-host.js';

const BUILT = 1_767_225_600; // 2026-01-01

test('the clock is unsynced (and reads 0) until a plausible time is set, then runs on the ticks', (t) => {
  let ticks = 5000;
  const clock = new DeviceClock(() => ticks, BUILT);
  t.false(clock.synced());
  t.is(clock.now(), 0);
  t.false(clock.set(1000), 'a time before the firmware build is refused');
  t.false(clock.synced());
  t.true(clock.set(BUILT + 100));
  ticks += 2500;
  t.is(clock.now(), (BUILT + 100) * 1000 + 2500);
  t.is(clock.monotonic(), 7500);
});

function rig(answers: Array<[string | undefined, number?]>) {
  const manual = new ManualClock(0);
  const timer = new ManualTimer(manual);
  const clock = new DeviceClock(() => manual.ms, BUILT);
  const asked: Array<{ host: string; at: number }> = [];
  const set: number[] = [];
  const sntp = new SntpSchedule({
    request: (host, done) => {
      asked.push({ host, at: manual.ms });
      const [error, seconds] = answers.shift() ?? ['no answer'];
      timer.set(() => done(error, seconds), 100);
    },
    hosts: ['a.example', 'b.example'],
    clock,
    timer,
    backoff: new Backoff({ initialMs: 1000 }),
    log: silentLog,
    resyncMs: 3600_000,
    onTime: (s) => set.push(s),
  });
  return { manual, timer, clock, sntp, asked, set };
}

test('no request before the network is up; the first answer syncs the clock and sets the system time', (t) => {
  const r = rig([[undefined, BUILT + 50]]);
  r.timer.advance(10_000);
  t.deepEqual(r.asked, []);
  r.sntp.setNetwork(true);
  r.timer.advance(100);
  t.true(r.clock.synced());
  t.deepEqual(r.set, [BUILT + 50]);
});

test('a failure or a bogus time is retried with backoff on the next server', (t) => {
  const r = rig([['timeout'], [undefined, 12], [undefined, BUILT + 9]]);
  r.sntp.setNetwork(true);
  r.timer.advance(100 + 1000 + 100 + 2000 + 100);
  t.deepEqual(r.asked.map((a) => [a.host, a.at]), [['a.example', 0], ['b.example', 1100], ['a.example', 3200]]);
  t.true(r.clock.synced());
});

test('after the first sync it asks again every resyncMs, and stops while the network is down', (t) => {
  const r = rig([[undefined, BUILT], [undefined, BUILT + 3600]]);
  r.sntp.setNetwork(true);
  r.timer.advance(3600_000 + 100);
  t.is(r.asked.length, 2);
  r.sntp.setNetwork(false);
  r.timer.advance(10 * 3600_000);
  t.is(r.asked.length, 2);
});
