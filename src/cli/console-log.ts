import type { Log } from '../core/host.js';

/** A Log that writes to the terminal; secrets never reach it (the core logs no key material). */
export function consoleLog(prefix: string, quiet = false): Log {
  const at = () => new Date().toISOString().slice(11, 19);
  return {
    info: (m) => {
      if (!quiet) process.stdout.write(`${at()} ${prefix}${m}\n`);
    },
    warn: (m) => process.stderr.write(`${at()} ${prefix}warning: ${m}\n`),
    error: (m) => process.stderr.write(`${at()} ${prefix}error: ${m}\n`),
  };
}
