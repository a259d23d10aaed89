// Reads ava's default reporter output and prints one line "N passed, N failed" with the real counts.
// Exits 1 when it finds a failure or no test at all.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const passed = (text.match(/^\s*✔ /gm) ?? []).length;
const failedTests = (text.match(/^\s*✘ \[fail\]/gm) ?? []).length;
const crashedFiles = (text.match(/^\s*✘ .* exited with a non-zero exit code/gm) ?? []).length;
const timedOut = (text.match(/^\s*✘ Timed out/gm) ?? []).length;
const skipped = (text.match(/^\s*- \[skip\]/gm) ?? []).length;
const failed = failedTests + crashedFiles + timedOut;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
