#!/usr/bin/env node
// Entry point of the `fieldproof` command; the code is compiled from TypeScript by `npm run build`.
import { runCli } from '../dist/src/cli/main.js';

await runCli(process.argv);
