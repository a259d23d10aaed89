import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NODE_CONFIG, readConfigFile, resolveNodeConfig } from '../../../hosts/node/node-config.js';

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'fp-cfg-')), 'node.json');
  writeFileSync(path, content);
  return path;
};

test('flags override the file, which overrides defaults', (t) => {
  const cfg = resolveNodeConfig({ intervalS: 30, kind: 'air' }, { intervalS: 10 });
  t.is(cfg.intervalS, 10);
  t.is(cfg.kind, 'air');
  t.is(cfg.signer, DEFAULT_NODE_CONFIG.signer);
});

test('names the field and the problem for a wrong value', (t) => {
  t.throws(() => resolveNodeConfig({ intervalS: 0 }), { message: /FP_E_CONFIG_INVALID.*"intervalS" must be whole seconds/ });
  t.throws(() => resolveNodeConfig({ kind: 'solar' as never }), { message: /"kind" must be "weather" or "air"/ });
  t.throws(() => resolveNodeConfig({ broker: 'http://example' }), { message: /"broker" must be .*protocol http:/ });
  t.throws(() => resolveNodeConfig({ broker: 'not a url' }), { message: /"broker"/ });
});

test('refuses unknown fields instead of ignoring typos', (t) => {
  t.throws(() => resolveNodeConfig({ intervalSeconds: 5 } as never), { message: /unknown config field "intervalSeconds"/ });
});

test('says clearly when the file is missing or not JSON', (t) => {
  t.throws(() => readConfigFile('/nonexistent/node.json'), { message: /FP_E_CONFIG_MISSING.*\/nonexistent\/node.json/ });
  t.throws(() => readConfigFile(file('{"intervalS": 5,')), { message: /FP_E_CONFIG_INVALID.*not valid JSON/ });
  t.throws(() => readConfigFile(file('[1,2]')), { message: /must hold a JSON object/ });
  t.deepEqual(readConfigFile(file('{"intervalS": 5}')), { intervalS: 5 });
});
