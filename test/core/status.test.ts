import test from 'ava';
import { encodeCbor, type CborValue } from '../../src/core/cbor-codec.js';
import { deviceIdOf, deviceIdText } from '../../src/core/device-id.js';
import { createNobleSigner } from '../../src/core/signer.js';
import { decodeStatus, encodeStatus, type StatusV1 } from '../../src/core/status.js';

const signer = createNobleSigner(new Uint8Array(32).fill(4));
const status = (): StatusV1 => ({
  online: true,
  time: 1_767_225_600,
  deviceId: deviceIdText(deviceIdOf(signer.publicKey)),
  publicKey: signer.publicKey,
  firmwareVersion: '0.1.0',
  firmwareBuild: new Uint8Array([1, 2, 3, 4]),
  uptimeS: 3600,
  outboxDepth: 2,
  outboxDropped: 0,
  nextSeq: 64,
  diagnostics: { host: 'node', heap: 12345 },
});

const variant = (change: (m: Map<string, CborValue>) => void) => {
  const s = status();
  const m = new Map<string, CborValue>([
    ['v', 1], ['online', s.online], ['time', s.time], ['id', s.deviceId], ['pk', s.publicKey], ['fw', s.firmwareVersion],
    ['build', s.firmwareBuild], ['uptime', s.uptimeS], ['outbox', s.outboxDepth], ['dropped', s.outboxDropped], ['seq', s.nextSeq],
    ['diag', new Map<string, CborValue>([['host', 'node']])],
  ]);
  change(m);
  const r = decodeStatus(encodeCbor(m));
  return r.ok ? 'ok' : r.detail;
};

test('round-trips a status', (t) => {
  const r = decodeStatus(encodeStatus(status()));
  t.true(r.ok);
  if (r.ok) t.deepEqual(r.status, status());
});

test('refuses a status whose id is not derived from its key', (t) => {
  t.regex(variant((m) => m.set('id', '0000000000000000')), /status.id/);
});

test('refuses missing, unknown and mistyped fields', (t) => {
  t.is(variant(() => {}), 'ok');
  t.regex(variant((m) => m.delete('fw')), /status.fw: missing/);
  t.regex(variant((m) => m.set('extra', 1)), /unknown key extra/);
  t.regex(variant((m) => m.set('uptime', -1)), /status.uptime/);
  t.regex(variant((m) => m.set('online', 1)), /status.online/);
  t.regex(variant((m) => m.set('pk', new Uint8Array(31))), /status.pk/);
  t.regex(variant((m) => m.set('build', new Uint8Array(0))), /status.build/);
  t.regex(variant((m) => m.set('diag', new Map([['x', new Uint8Array(1)]]))), /status.diag/);
  t.regex(variant((m) => m.set('v', 2)), /v = 1/);
});
