import test from 'ava';
import fc from 'fast-check';
import { encodeCbor, Tag } from '../../src/core/cbor-codec.js';
import { PROTECTED_EDDSA } from '../../src/core/cose-sign1.js';
import { createNobleSigner } from '../../src/core/signer.js';
import { nodeTopics } from '../../src/core/topics.js';
import { REASONS } from '../../src/verifier/reasons.js';
import { pipelineFixture, T0 } from './pipeline-fixture.js';

const at = T0 + 7200;

test('accepts an authentic, fresh, plausible reading and stores it once', async (t) => {
  const f = await pipelineFixture();
  const msg = f.sign({ seq: 1, time: at });
  const first = await f.submit(msg, at + 2);
  t.is(first.stored, 'new');
  t.is(first.verdict.status, 'accepted');
  t.is(first.verdict.reason, 'ok');
  t.is(first.verdict.quality, 1);
  t.is((await f.ledger.readingsOfEpoch(first.verdict.epoch!)).length, 1);
});

test('a redelivered message gets the duplicate verdict and is not stored twice', async (t) => {
  const f = await pipelineFixture();
  const msg = f.sign({ seq: 1, time: at });
  await f.submit(msg, at + 2);
  const again = await f.submit(msg, at + 5);
  t.is(again.stored, 'duplicate');
  t.is(again.verdict.reason, 'duplicate');
  t.is((await f.ledger.readingsOfEpoch(again.verdict.epoch!)).length, 1);
  t.is((await f.ledger.getVerdict(again.verdict.messageHash))!.reason, 'ok'); // the first verdict stands
});

test('another reading with a used sequence number is a replay', async (t) => {
  const f = await pipelineFixture();
  await f.submit(f.sign({ seq: 1, time: at }), at + 2);
  const replay = await f.submit(f.sign({ seq: 1, time: at + 60, values: { temperature: 14.3 } }), at + 62);
  t.is(replay.verdict.reason, 'replay');
  t.is(replay.verdict.status, 'rejected');
});

test('identity checks: unknown device, suspended device, wrong topic, forged signature', async (t) => {
  const f = await pipelineFixture();
  const stranger = createNobleSigner(new Uint8Array(32).fill(12));
  t.is((await f.submit(f.sign({ seq: 1, time: at, signer: stranger }), at, nodeTopics('00'.repeat(8)).readings)).verdict.reason, 'unknown_device');

  const other = createNobleSigner(new Uint8Array(32).fill(13));
  const otherId = await f.register(other);
  t.is((await f.submit(f.sign({ seq: 1, time: at, signer: other }), at, f.topic)).verdict.reason, 'topic_mismatch');
  await f.ledger.setDeviceStatus(otherId, 'suspended');
  t.is((await f.submit(f.sign({ seq: 2, time: at, signer: other }), at, nodeTopics(otherId).readings)).verdict.reason, 'inactive_device');

  // A reading that claims our device id but is signed by another key
  const forger = { publicKey: f.signer.publicKey, sign: (m: Uint8Array) => stranger.sign(m) };
  const forged = await f.submit(f.sign({ seq: 3, time: at, signer: forger }), at);
  t.is(forged.verdict.reason, 'bad_signature');
  t.is(forged.verdict.deviceId, f.deviceId);
});

test('a tampered payload fails the signature', async (t) => {
  const f = await pipelineFixture();
  const msg = f.sign({ seq: 1, time: at, values: { temperature: 14.2 } });
  const i = msg.indexOf(0x19, 20); // a 2-byte integer in the payload (the temperature)
  msg[i + 2] ^= 0x01;
  const v = (await f.submit(msg, at)).verdict;
  t.true(v.reason === 'bad_signature' || v.reason === 'wrong_type', v.reason);
});

test('time window: from the future, too old live, backfill within its window', async (t) => {
  const f = await pipelineFixture();
  t.is((await f.submit(f.sign({ seq: 1, time: at + 600 }), at)).verdict.reason, 'from_future');
  t.is((await f.submit(f.sign({ seq: 2, time: at - 3600 }), at)).verdict.reason, 'too_old');
  t.is((await f.submit(f.sign({ seq: 3, time: at - 3600, backfilled: true }), at)).verdict.reason, 'ok');
  t.is((await f.submit(f.sign({ seq: 4, time: at - 8 * 86_400, backfilled: true }), at)).verdict.reason, 'too_old');
});

test('data quality: out of range, jump, flat line', async (t) => {
  const f = await pipelineFixture();
  t.is((await f.submit(f.sign({ seq: 1, time: at, values: { temperature: 75 } }), at)).verdict.reason, 'out_of_range');
  t.is((await f.submit(f.sign({ seq: 2, time: at, values: { temperature: 14 } }), at)).verdict.reason, 'ok');
  t.is((await f.submit(f.sign({ seq: 3, time: at + 60, values: { temperature: 30 } }), at + 60)).verdict.reason, 'jump');
  // stuck at exactly the same humidity for more than 6 h
  let last = 'ok';
  for (let i = 0; i <= 6 * 60 + 5; i += 5) {
    const time = at + 120 + i * 60;
    last = (await f.submit(f.sign({ seq: 10 + i, time, values: { temperature: 14 + (i % 2) * 0.1, humidity: 55 } }), time)).verdict.reason;
    if (last !== 'ok') break;
  }
  t.is(last, 'flat_line');
});

test('maintenance readings are recorded, not judged on quality', async (t) => {
  const f = await pipelineFixture();
  const v = (await f.submit(f.sign({ seq: 1, time: at, values: { temperature: 59.9 }, maintenance: true }), at)).verdict;
  t.is(v.status, 'recorded');
  t.is(v.reason, 'maintenance');
  t.is(v.quality, null);
});

test('envelope and payload junk gets decode reasons', async (t) => {
  const f = await pipelineFixture();
  const reason = async (bytes: Uint8Array) => (await f.submit(bytes, at)).verdict.reason;
  t.is(await reason(new Uint8Array(5000)), 'too_large');
  t.is(await reason(new Uint8Array([0xd2, 0x84, 0x43])), 'malformed');
  t.is(await reason(encodeCbor([1, 2, 3])), 'not_cose_sign1');
  t.is(await reason(encodeCbor(new Tag([encodeCbor(new Map([[1, -7]])), new Map(), new Uint8Array(1), new Uint8Array(64)], 18))), 'unsupported_alg');
  t.is(await reason(encodeCbor(new Tag([PROTECTED_EDDSA, new Map(), encodeCbor([1]), new Uint8Array(64)], 18))), 'wrong_type');
  t.is(await reason(new Uint8Array([0x9f, 0xff])), 'non_deterministic');
  t.is(await reason(new Uint8Array(30).fill(0x81)), 'too_deep');
});

test('every junk input gets a documented verdict, nothing is credited, nothing throws (property)', async (t) => {
  const f = await pipelineFixture();
  const valid = f.sign({ seq: 1, time: at });
  const epoch = (await f.submit(f.sign({ seq: 0, time: at - 60 }), at)).verdict.epoch!;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc.nat(valid.length - 1).map((n) => valid.slice(0, n)),
        fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const b = valid.slice();
          b[i] ^= x;
          return b;
        }),
      ),
      async (bytes) => {
        const v = (await f.submit(bytes, at)).verdict;
        return v.reason in REASONS && (v.status !== 'accepted' || (bytes.length === valid.length && bytes.every((b, i) => b === valid[i])));
      },
    ),
    { numRuns: 600 },
  );
  const stored = await f.ledger.readingsOfEpoch(epoch);
  t.true(stored.length <= 2, `${stored.length} readings stored`);
});

test('the in-memory history gives the same verdicts as reading the ledger each time', async (t) => {
  const viaLedger = await pipelineFixture();
  const viaMemory = await pipelineFixture({ history: true });
  // a station that drifts, jumps once, sticks for hours, and delivers some readings out of order
  const plan: { seq: number; time: number; temperature: number; humidity: number }[] = [];
  for (let i = 0; i < 200; i++) {
    const time = at + i * 180;
    const temperature = i === 40 ? 35 : 14 + Math.sin(i / 10);
    const humidity = i >= 60 ? 55 : 60 + (i % 7);
    plan.push({ seq: i, time, temperature, humidity });
  }
  for (let i = 10; i < plan.length - 1; i += 17) [plan[i], plan[i + 1]] = [plan[i + 1]!, plan[i]!];
  const reasons = async (f: typeof viaLedger) => {
    const out: string[] = [];
    for (const p of plan) {
      const v = (await f.submit(f.sign({ seq: p.seq, time: p.time, values: { temperature: p.temperature, humidity: p.humidity }, backfilled: true }), at + 200 * 180 + 60)).verdict;
      out.push(v.reason);
    }
    return out;
  };
  const fromLedger = await reasons(viaLedger);
  t.deepEqual(await reasons(viaMemory), fromLedger);
  t.true(fromLedger.includes('jump') && fromLedger.includes('flat_line'), fromLedger.join(','));
});

test('readings in flight together are judged in arrival order per device, and other devices are not held up', async (t) => {
  // a station whose readings each jump from the one before: judged against an out-of-date history, all would pass
  const plan = Array.from({ length: 12 }, (_, i) => ({ seq: i + 1, time: at + i * 60, temperature: i % 2 === 0 ? 10 : 30 }));
  const sequential = await pipelineFixture({ history: true });
  const expected: string[] = [];
  for (const p of plan) expected.push((await sequential.submit(sequential.sign({ seq: p.seq, time: p.time, values: { temperature: p.temperature } }), p.time + 1)).verdict.reason);
  t.true(expected.includes('jump'), expected.join(','));

  const f = await pipelineFixture({ history: true, lanes: true });
  const other = createNobleSigner(new Uint8Array(32).fill(12));
  const otherTopic = nodeTopics(await f.register(other)).readings;
  const mine = plan.map((p) => f.submit(f.sign({ seq: p.seq, time: p.time, values: { temperature: p.temperature } }), p.time + 1));
  const theirs = f.submit(f.sign({ seq: 1, time: at, signer: other }), at + 1, otherTopic);
  const settled: string[] = [];
  void mine.at(-1)!.then(() => settled.push('last of mine'));
  void theirs.then(() => settled.push('theirs'));
  t.deepEqual((await Promise.all(mine)).map((o) => o.verdict.reason), expected);
  t.is((await theirs).verdict.reason, 'ok');
  t.deepEqual(settled, ['theirs', 'last of mine']);
});
