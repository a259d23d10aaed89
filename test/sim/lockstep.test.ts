import test from 'ava';
import { Lockstep } from '../../src/sim/lockstep.js';

const START = Date.UTC(2026, 5, 1);

test('timers fire in time order with now() at their own time, ties in the order they were set', async (t) => {
  const ls = new Lockstep({ startMs: START });
  const fired: Array<[string, number]> = [];
  ls.timer.set(() => fired.push(['b', ls.now - START]), 2500);
  ls.timer.set(() => fired.push(['a', ls.now - START]), 300);
  ls.timer.set(() => fired.push(['c', ls.now - START]), 2500);
  const cancelled = ls.timer.set(() => fired.push(['x', ls.now - START]), 1000);
  ls.timer.clear(cancelled);
  await ls.runUntil(START + 5000);
  t.deepEqual(fired, [['a', 300], ['b', 2500], ['c', 2500]]);
  t.is(ls.now, START + 5000);
});

test('each step settles before time moves on, and the settled clock reads the step end', async (t) => {
  const ls = new Lockstep({ startMs: START, stepMs: 1000 });
  const log: string[] = [];
  let pending = 0;
  const tick = () => {
    pending++;
    log.push(`fire ${ls.now - START} settled ${ls.settledNow - START}`);
    setTimeout(() => pending--, 5); // work that finishes later, in real time
    ls.timer.set(tick, 1500);
  };
  ls.timer.set(tick, 0);
  await ls.runUntil(START + 4000, {
    settle: async () => {
      while (pending > 0) await new Promise((r) => setTimeout(r, 1));
      log.push(`settled at ${ls.now - START}`);
    },
  });
  t.deepEqual(log, ['fire 0 settled 1000', 'settled at 1000', 'fire 1500 settled 2000', 'settled at 2000', 'settled at 3000', 'fire 3000 settled 4000', 'settled at 4000']);
});

test('a node clock can be skewed and a timer delayed without touching the others', async (t) => {
  const ls = new Lockstep({ startMs: START });
  const skewed = ls.clock(-90_000);
  const at: number[] = [];
  ls.delayedTimer(20_000).set(() => at.push(ls.now - START), 1000);
  await ls.runUntil(START + 30_000);
  t.deepEqual(at, [21_000]);
  t.is(skewed.now(), ls.now - 90_000);
  t.true(skewed.synced());
  t.is(skewed.monotonic(), 30_000);
});

test('stops early when the signal is aborted, and refuses bad options', async (t) => {
  const ls = new Lockstep({ startMs: START });
  const signal = { aborted: false };
  await ls.runUntil(START + 60_000, { afterStep: (now) => void (now >= START + 3000 && (signal.aborted = true)), signal });
  t.is(ls.now, START + 3000);
  t.throws(() => new Lockstep({ startMs: 1.5 }), { message: /startMs/ });
  t.throws(() => new Lockstep({ startMs: START, accel: 0 }), { message: /accel/ });
  t.throws(() => ls.timer.set(null as unknown as () => void, 1), { instanceOf: TypeError });
});
