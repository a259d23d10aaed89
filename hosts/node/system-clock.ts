// Wall clock and timers of the desktop. The desktop's OS keeps its clock synced (NTP), so it counts as synced
// unless the host is told otherwise (tests and the simulator pass a clock they control).
import type { Clock, Timer } from '../../src/core/host.js';

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  synced: () => true,
  monotonic: () => performance.now(),
});

export const systemTimer: Timer = Object.freeze({
  set: (callback: () => void, delayMs: number) => setTimeout(callback, delayMs),
  clear: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});
