import test from 'ava';
import fc from 'fast-check';
import { formatBanner, formatClaimRequest, LineSplitter, MAX_CONSOLE_LINE, parseConsoleLine, signClaim } from '../../../hosts/esp32/console-protocol.js';
import { fromHex, toHex } from '../../../src/core/bytes.js';
import { deviceIdOf, deviceIdText } from '../../../src/core/device-id.js';
import { createNobleSigner, nobleVerify } from '../../../src/core/signer.js';
import { normaliseAddress } from '../../../src/verifier/registry/evm-account.js';
import { checkOwnershipClaim, signOwnershipClaim } from '../../../src/verifier/registry/ownership-claim.js';

const SECRET = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'); // RFC 8032 §7.1 TEST 1
const signer = createNobleSigner(SECRET);
const banner = { deviceId: deviceIdText(deviceIdOf(signer.publicKey)), publicKey: toHex(signer.publicKey), firmwareVersion: '0.1.0', firmwareBuild: '0a1b2c3d' };

test('the device banner round-trips through format and parse', (t) => {
  t.deepEqual(parseConsoleLine(formatBanner(banner)), { kind: 'device', banner });
  t.deepEqual(parseConsoleLine(formatBanner(banner) + '\r'), { kind: 'device', banner });
});

test('a banner whose id is not derived from its key is ignored as noise', (t) => {
  t.is(parseConsoleLine(formatBanner({ ...banner, deviceId: '0000000000000000' })), undefined);
});

test('boot-ROM chatter, trace output and malformed FP1 lines are ignored', (t) => {
  for (const line of ['ets Jun  8 2016 00:22:57', 'rst:0x1 (POWERON_RESET),boot:0x13', 'FP1', 'FP1 HELLO there', 'FP1 CLAIM owner=0x12', 'FP2 HELLO', 'fp1 hello']) {
    t.is(parseConsoleLine(line), undefined, line);
  }
  t.deepEqual(parseConsoleLine('FP1 HELLO'), { kind: 'hello' });
});

test('claim requests are range-checked', (t) => {
  const base = { owner: '0x' + 'ab'.repeat(20), nonce: '11'.repeat(16), latE6: 47_370_000, lonE6: 8_540_000, signedAt: 1_767_225_600 };
  t.deepEqual(parseConsoleLine(formatClaimRequest(base)), { kind: 'claim', request: base });
  t.is(parseConsoleLine(formatClaimRequest({ ...base, latE6: 90_000_001 })), undefined);
  t.is(parseConsoleLine(formatClaimRequest({ ...base, lonE6: -180_000_001 })), undefined);
  t.is(parseConsoleLine(formatClaimRequest({ ...base, nonce: '11'.repeat(15) })), undefined);
});

test('the claim the device signs is byte-identical to the desktop one and the verifier accepts it', (t) => {
  const owner = normaliseAddress('0x' + 'ab'.repeat(20))!;
  const request = { owner, nonce: '5a'.repeat(16), latE6: Math.round(47.37 * 1e6), lonE6: Math.round(8.54 * 1e6), signedAt: 1_767_225_600 };
  const device = signClaim(signer, request);
  const desktop = signOwnershipClaim(signer, { owner, nonce: request.nonce, location: { lat: 47.37, lon: 8.54 }, signedAt: request.signedAt });
  t.is(toHex(device), toHex(desktop));
  const check = checkOwnershipClaim(device, signer.publicKey, nobleVerify);
  t.true(check.ok);
});

test('the line splitter joins chunks, handles CRLF and drops over-long lines whole', (t) => {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  splitter.push('FP1 HEL');
  splitter.push(Uint8Array.from('LO\r\nnext', (c) => c.charCodeAt(0)));
  splitter.push('x'.repeat(MAX_CONSOLE_LINE + 10));
  splitter.push('\nafter\n');
  t.deepEqual(lines, ['FP1 HELLO', 'after']);
});

test('any split of a byte stream gives the same lines', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[ -~]{0,40}$/), { maxLength: 8 }), fc.array(fc.nat(60), { maxLength: 6 }), (lines, cuts) => {
      const text = lines.map((l) => l + '\n').join('');
      const out: string[] = [];
      const splitter = new LineSplitter((l) => out.push(l));
      let at = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        splitter.push(text.slice(at, Math.max(at, cut)));
        at = Math.max(at, cut);
      }
      splitter.push(text.slice(at));
      return JSON.stringify(out) === JSON.stringify(lines);
    }),
  ));
});
