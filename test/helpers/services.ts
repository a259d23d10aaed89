// Tests that need a local service (Mosquitto on 127.0.0.1:1883, ...) run in CI, where a missing service is a
// failure. On a developer's machine without it they are skipped with a message saying so, never silently.
// CI sets FIELDPROOF_REQUIRE_SERVICES=1 (.ci/run does).
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

// The timeout is generous: a service that is down on loopback refuses at once (ECONNREFUSED), so waiting only ever
// costs time when a port is filtered. A short one failed CI on a loaded machine: when a test process's event loop
// is held up past the timeout, the timer fires before the already-completed connect is seen.
export function reachable(host: string, port: number, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const servicesRequired = () => process.env.FIELDPROOF_REQUIRE_SERVICES === '1';

/** Resolves true when the service is up. Throws (fails the test) when it is down and services are required. */
export async function needService(name: string, host: string, port: number): Promise<boolean> {
  if (await reachable(host, port)) return true;
  const message = `${name} is not reachable on ${host}:${port}`;
  if (servicesRequired()) throw new Error(`${message}, and FIELDPROOF_REQUIRE_SERVICES=1 requires it (start it: see README, "Services for the tests")`);
  process.stderr.write(`SKIPPED: ${message}; tests that need it are skipped (set FIELDPROOF_REQUIRE_SERVICES=1 to fail instead)\n`);
  return false;
}

export const MOSQUITTO = { name: 'Mosquitto', host: '127.0.0.1', port: 1883, url: 'mqtt://127.0.0.1:1883' } as const;
/** Debian's PostgreSQL with trust auth on loopback; tests work in a throwaway schema of database `test`. */
export const POSTGRES = { name: 'PostgreSQL', host: '127.0.0.1', port: 5432, url: 'postgresql://postgres@127.0.0.1:5432/test' } as const;

/** Debian's chromium (apt-get install chromium; .ci/run installs it), driven by playwright-core: no browser download. */
export const CHROMIUM = { name: 'Debian chromium', path: process.env.FIELDPROOF_CHROMIUM ?? '/usr/bin/chromium' } as const;

/** Resolves true when the browser is installed. Throws (fails the test) when it is missing and services are required. */
export async function needBrowser(path: string = CHROMIUM.path): Promise<boolean> {
  if (existsSync(path)) return true;
  const message = `${CHROMIUM.name} is not installed at ${path}`;
  if (servicesRequired()) throw new Error(`${message}, and FIELDPROOF_REQUIRE_SERVICES=1 requires it (install it: apt-get install -y chromium; .ci/run does)`);
  process.stderr.write(`SKIPPED: ${message}; the dashboard's browser tests are skipped (set FIELDPROOF_REQUIRE_SERVICES=1 to fail instead)\n`);
  return false;
}
