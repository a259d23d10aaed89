/** Run `stop` once on Ctrl-C or SIGTERM; a second Ctrl-C exits at once. */
export function onShutdown(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = () => {
      if (stopping) process.exit(130);
      stopping = true;
      stop().then(resolve, (error) => {
        process.stderr.write(`fieldproof: while stopping: ${(error as Error).message}\n`);
        resolve();
      });
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
}
