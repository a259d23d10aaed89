import test from 'ava';
import { resolveVerifierConfig } from '../../src/verifier/verifier-config.js';

test('ingestConnections defaults to 64 readings in flight per verifier, and takes 1 to 256', (t) => {
  t.is(resolveVerifierConfig().ingestConnections, 64);
  t.is(resolveVerifierConfig({ ingestConnections: 1 }).ingestConnections, 1);
  t.is(resolveVerifierConfig({ ingestConnections: 256 }).ingestConnections, 256);
  for (const bad of [0, 257, 1.5, '16']) {
    t.throws(() => resolveVerifierConfig({ ingestConnections: bad as number }), { code: 'FP_E_CONFIG_INVALID', message: /ingestConnections/ }, String(bad));
  }
});
