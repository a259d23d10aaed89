// The `fieldproof` command. Each subcommand lives in its own module; this file only declares them.
import { Command } from 'commander';
import { registerDecode } from './decode-command.js';
import { registerDemo } from './demo-command.js';
import { registerNode } from './node-command.js';
import { registerFleetCommands } from './fleet-commands.js';
import { registerFlash } from './flash-command.js';
import { registerRewards } from './rewards-command.js';
import { registerSim } from './sim-command.js';
import { registerVerifier } from './verifier-command.js';

export function buildProgram(): Command {
  const program = new Command('fieldproof')
    .description('Signed sensor readings for a DePIN of weather and air-quality nodes')
    .version('0.1.0')
    .showHelpAfterError();
  registerDemo(program);
  registerNode(program);
  registerDecode(program);
  registerVerifier(program);
  registerFleetCommands(program);
  registerRewards(program);
  registerSim(program);
  registerFlash(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`fieldproof: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
