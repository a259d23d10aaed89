// A small fleet whose every reading went through the real pipeline (signed, verified, judged, stored in SQLite),
// with one closed epoch, for the fleet-overview routes and the dashboard. The states the map should show follow
// from what each device sent, as listed on FleetFixture.expected.
//   A  accepted     two readings in the open epoch, both accepted, and a forgery on its topic (not its doing)
//   B  rejected     one accepted, one out of range in the open epoch
//   C  silent       readings only early in the closed epoch, long before the window
//   D  inactive     suspended; what it sends is refused (inactive_device)
//   E  maintenance  one maintenance reading (recorded, not rewarded)
// Epoch 1 (closed): A, B and C sent three readings each. Epoch 2 is open; "now" is 5 minutes into it.
import { toHex } from '../../../src/core/bytes.js';
import { deviceIdOf } from '../../../src/core/device-id.js';
import { createNobleSigner, nobleVerify, type Signer } from '../../../src/core/signer.js';
import { nodeTopics } from '../../../src/core/topics.js';
import { closeEpoch } from '../../../src/verifier/epoch-close.js';
import { buildApi, type ApiDeps } from '../../../src/verifier/http/api.js';
import { createMetrics } from '../../../src/verifier/http/metrics.js';
import type { FleetState } from '../../../src/verifier/http/fleet-status.js';
import { DEFAULT_QUALITY_CONFIG } from '../../../src/verifier/quality/quality-config.js';
import { epochBounds, epochOf } from '../../../src/verifier/rewards/epochs.js';
import type { SettlementV1, VerdictV1 } from '../../../src/verifier/types.js';
import { pipelineFixture, REWARDS, T0, type Fixture } from '../pipeline-fixture.js';

export const ALICE = `0x${'a11ce'.repeat(8)}`;
export const BOB = `0x${'b0b'.repeat(13)}b`;
/** Start of the open epoch (2), Unix s. */
export const OPEN_AT = T0 + 7200;
/** The fixture's clock: 5 minutes into epoch 2, Unix ms. */
export const NOW_MS = (OPEN_AT + 300) * 1000;

export interface FleetFixture {
  f: Fixture;
  ids: { A: string; B: string; C: string; D: string; E: string };
  expected: Record<string, FleetState>;
  /** Every verdict the pipeline gave, in order. */
  verdicts: VerdictV1[];
  settlement: SettlementV1;
  /** The API's clock (Unix ms), NOW_MS at first; a test moves it on to let time pass. */
  clock: { ms: number };
  closedEpoch: number;
  openEpoch: number;
  deps(extra?: Partial<ApiDeps>): ApiDeps;
}

const signer = (n: number): Signer => createNobleSigner(new Uint8Array(32).fill(n));

export async function fleetFixture(): Promise<FleetFixture> {
  const f = await pipelineFixture();
  const sB = signer(21);
  const sC = signer(22);
  const sD = signer(23);
  const sE = signer(24);
  const ids = {
    A: f.deviceId,
    B: await f.register(sB, { location: { lat: 47.41, lon: 8.6 }, owner: ALICE }),
    C: await f.register(sC, { location: { lat: 47.33, lon: 8.49 }, owner: ALICE }),
    D: await f.register(sD, { location: { lat: 47.36, lon: 8.63 }, owner: BOB, status: 'suspended' }),
    E: await f.register(sE, { location: { lat: 47.43, lon: 8.51 }, owner: BOB }),
  };
  const verdicts: VerdictV1[] = [];
  const send = async (s: Signer | undefined, seq: number, time: number, values: Record<string, number>, options: { maintenance?: boolean } = {}) => {
    const message = f.sign({ seq, time, values, ...(s ? { signer: s } : {}), ...options });
    const topic = s ? nodeTopics(toHex(deviceIdOf(s.publicKey))).readings : f.topic;
    verdicts.push((await f.submit(message, time + 1, topic)).verdict);
  };
  const weather = (i: number, offset = 0) => ({ temperature: 14.2 + offset + i * 0.1, humidity: 61.5 - i * 0.2, pressure: 101_320 + i * 10 });

  // Epoch 1, its first minutes: A, B and C.
  const e1 = T0 + 3600;
  for (let i = 0; i < 3; i++) {
    await send(undefined, 1 + i, e1 + i * 60, weather(i));
    await send(sB, 1 + i, e1 + 10 + i * 60, weather(i, 0.4));
    await send(sC, 1 + i, e1 + 20 + i * 60, weather(i, -0.3));
  }
  const closedEpoch = epochOf(e1, REWARDS);
  const closed = await closeEpoch(f.ledger, closedEpoch, { rewards: REWARDS, quality: DEFAULT_QUALITY_CONFIG, graceS: 0, now: OPEN_AT * 1000 });
  if (!closed.created || closed.settlement.payouts.length === 0) throw new Error('fleet fixture: epoch 1 did not settle with payouts');

  // Epoch 2, open.
  await send(undefined, 10, OPEN_AT, weather(3));
  await send(undefined, 11, OPEN_AT + 60, weather(4));
  // Someone else's forgery on A's topic (a byte of the signature changed): A's own readings are fine, so A stays
  // 'accepted' on the map.
  const forged = f.sign({ seq: 12, time: OPEN_AT + 70, values: weather(5) });
  forged[forged.length - 1] ^= 0x01;
  verdicts.push((await f.submit(forged, OPEN_AT + 71, f.topic)).verdict);
  await send(sB, 10, OPEN_AT + 30, weather(3, 0.4));
  await send(sB, 11, OPEN_AT + 90, { temperature: 75, humidity: 60, pressure: 101_330 });
  await send(sD, 1, OPEN_AT + 40, weather(3));
  await send(sE, 1, OPEN_AT + 50, { temperature: 20, humidity: 50, pressure: 101_000 }, { maintenance: true });
  verdicts.push((await f.submit(new Uint8Array([0xd2, 0x84, 0x43]), OPEN_AT + 100)).verdict);

  const want = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'bad_signature', 'ok', 'out_of_range', 'inactive_device', 'maintenance', 'malformed'];
  const got = verdicts.map((v) => v.reason);
  if (got.join() !== want.join()) throw new Error(`fleet fixture: the pipeline judged ${got.join()}, expected ${want.join()}`);

  const clock = { ms: NOW_MS };
  const deps = (extra: Partial<ApiDeps> = {}): ApiDeps => ({
    ledger: f.ledger,
    onboarding: { ledger: f.ledger, trustedFleetKeys: new Set(), verify: nobleVerify, now: () => NOW_MS },
    metrics: createMetrics({ defaultMetrics: false }),
    now: () => clock.ms,
    currentEpoch: (ms) => {
      const epoch = epochOf(Math.floor(ms / 1000), REWARDS);
      return { epoch, startS: epochBounds(epoch, REWARDS)[0] };
    },
    ...extra,
  });
  return {
    f,
    ids,
    expected: { [ids.A]: 'accepted', [ids.B]: 'rejected', [ids.C]: 'silent', [ids.D]: 'inactive', [ids.E]: 'maintenance' },
    verdicts,
    settlement: closed.settlement,
    clock,
    closedEpoch,
    openEpoch: epochOf(OPEN_AT, REWARDS),
    deps,
  };
}

/** buildApi over the fixture. */
export function fleetApi(fleet: FleetFixture, extra?: Partial<ApiDeps>) {
  return buildApi(fleet.deps(extra));
}
