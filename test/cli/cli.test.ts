import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildProgram } from '../../src/cli/main.js';
import { loadVectors } from '../helpers/vectors.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/fieldproof.js', import.meta.url));

test('every subcommand has --help', async (t) => {
  const names = buildProgram().commands.map((c) => c.name());
  t.true(names.includes('demo') && names.includes('node') && names.includes('decode'));
  for (const name of names) {
    const { stdout } = await run(process.execPath, [bin, name, '--help']);
    t.regex(stdout, new RegExp(`Usage: fieldproof ${name}`), name);
  }
});

test('decode prints a golden reading and checks its signature', async (t) => {
  const v = loadVectors<{ cose: string; publicKey: string; seq: number }>('golden-readings.json').vectors[0]!;
  const { stdout } = await run(process.execPath, [bin, 'decode', v.cose, '--public-key', v.publicKey]);
  const out = JSON.parse(stdout);
  t.is(out.seq, v.seq);
  t.is(out.signature, 'valid');
  const wrongKey = '11'.repeat(32);
  const bad = await run(process.execPath, [bin, 'decode', v.cose, '--public-key', wrongKey]).catch((e) => e);
  t.is(bad.code, 1);
});

test('decode gives a reason for junk instead of a stack trace', async (t) => {
  const err = await run(process.execPath, [bin, 'decode', 'd28401']).catch((e) => e);
  t.is(err.code, 2);
  t.regex(err.stderr, /not a valid reading envelope: malformed/);
  t.notRegex(err.stderr, /at .*\.js:\d+/);
});
