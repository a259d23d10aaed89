// Records for the ledger contract: devices, verdicts with their readings, settlements. Deterministic, so a failing
// test names the same message hashes on every run.
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import type { Ledger } from '../../../src/verifier/ledger/ledger.js';
import type { ReasonCode } from '../../../src/verifier/reasons.js';
import type { AcceptedReadingV1, DeviceRecordV1, RewardShareV1, SettlementV1, VerdictV1 } from '../../../src/verifier/types.js';

export interface LedgerFactory {
  /** A new, empty, opened ledger. */
  create(): Promise<Ledger>;
  /** Close the ledger and open its store again (file- or URL-backed stores). */
  reopen?(ledger: Ledger): Promise<Ledger>;
  /** A second, independently opened ledger on the same store: another verifier process. */
  twin?(ledger: Ledger): Promise<Ledger>;
  /** Overwrite the schema version stored in a closed ledger's store. */
  setSchemaVersion?(ledger: Ledger, version: number): Promise<void>;
  /**
   * A new store created with the schema of version 1 (test/vectors/ledger-schema-v1.json) and seeded with these
   * statements (SQL with `?` placeholders), then opened by the current ledger, which migrates it.
   */
  createAtVersion1?(seed: { sql: string; params: unknown[] }[]): Promise<Ledger>;
  /** The schema version a store holds (its `meta` row). */
  storedSchemaVersion?(ledger: Ledger): Promise<string | undefined>;
  /** The column lists of the unique indexes (primary key included) of a ledger table, each joined by ','. */
  uniqueIndexesOf?(ledger: Ledger, table: string): Promise<string[]>;
  /** Release a ledger after its test (close, drop its store); close() when absent. */
  dispose?(ledger: Ledger): Promise<void>;
  /** false when the store's service is down (the test is skipped); may throw to fail when services are required. */
  available?(): Promise<boolean>;
}

/** A fresh ledger released after the test, or undefined (test passed as skipped) when the store is unavailable. */
export async function openFor(t: ExecutionContext, factory: LedgerFactory): Promise<Ledger | undefined> {
  if (factory.available && !(await factory.available())) {
    t.pass('skipped: the store is not reachable');
    return undefined;
  }
  return track(t, factory, await factory.create());
}

export function track(t: ExecutionContext, factory: LedgerFactory, ledger: Ledger): Ledger {
  t.teardown(() => (factory.dispose ? factory.dispose(ledger) : ledger.close()));
  return ledger;
}

export const T0 = 1_798_761_600; // device time base (Unix s), 2027-01-01
export const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
export const deviceIdFor = (n: number) => (0xfe00_0000 + n).toString(16).padStart(16, '0');

/** 120 bytes, about a signed 4-quantity reading, distinct for each (device, seq, variant). */
export function messageFor(deviceId: string, seq: number, variant = ''): Uint8Array {
  const seed = createHash('sha256').update(`${deviceId}/${seq}/${variant}`).digest();
  const out = new Uint8Array(120);
  for (let i = 0; i < out.length; i++) out[i] = seed[i % seed.length]! ^ (i & 0xff);
  out[0] = 0xd2; // COSE_Sign1 tag 18
  return out;
}

export function device(n: number, overrides: Partial<DeviceRecordV1> = {}): DeviceRecordV1 {
  return {
    deviceId: deviceIdFor(n),
    publicKey: new Uint8Array(32).fill(n & 0xff),
    model: 'fp-air-1',
    sensorKinds: ['thermometer', 'hygrometer'],
    location: { lat: 48.1 + n / 1000, lon: 11.5 - n / 1000 },
    area: 'a:48.1:11.5',
    owner: `0x${(n + 1).toString(16).padStart(40, '0')}`,
    status: 'active',
    registeredAt: T0 * 1000 + n,
    attestation: new Uint8Array([0xd2, 0x84, n & 0xff, 1, 2, 3]),
    ...overrides,
  };
}

export interface Delivery {
  verdict: VerdictV1;
  reading: AcceptedReadingV1;
}

export interface DeliveryOptions {
  device?: number | string;
  seq: number;
  /** Device time (Unix s); T0 + seq * 60 when absent. */
  time?: number;
  receivedAt?: number;
  epoch?: number;
  /** Makes a different message for the same (device, seq): a replay. */
  variant?: string;
  maintenance?: boolean;
}

/** An accepted (or, with maintenance, recorded) verdict and its reading. */
export function delivery(o: DeliveryOptions): Delivery {
  const deviceId = typeof o.device === 'string' ? o.device : deviceIdFor(o.device ?? 1);
  const time = o.time ?? T0 + o.seq * 60;
  const message = messageFor(deviceId, o.seq, o.variant);
  const messageHash = sha256Hex(message);
  const receivedAt = o.receivedAt ?? time * 1000 + 250;
  const epoch = o.epoch ?? 7;
  const recorded = o.maintenance === true;
  return {
    verdict: {
      v: 1, messageHash, deviceId, seq: o.seq, readingTime: time, receivedAt,
      status: recorded ? 'recorded' : 'accepted', reason: recorded ? 'maintenance' : 'ok',
      detail: recorded ? 'maintenance mode' : 'accepted', quality: recorded ? null : 1, epoch,
    },
    reading: {
      deviceId, seq: o.seq, time, receivedAt, epoch,
      measurements: [{ quantity: 'temperature', value: 21.37 + o.seq / 100 }, { quantity: 'humidity', value: 45.5 }],
      backfilled: false, maintenance: recorded, quality: recorded ? 0 : 1, messageHash, message,
    },
  };
}

/** A rejection stored without a reading (e.g. out_of_range, or bad_signature before the seq can be trusted). */
export function rejection(o: { tag: string; reason: ReasonCode; device?: number | null; seq?: number | null; receivedAt?: number }): VerdictV1 {
  const deviceId = o.device === null ? null : deviceIdFor(o.device ?? 1);
  return {
    v: 1, messageHash: sha256Hex(`rejected/${o.tag}`), deviceId, seq: o.seq ?? null, readingTime: deviceId ? T0 : null,
    receivedAt: o.receivedAt ?? T0 * 1000, status: 'rejected', reason: o.reason, detail: `${o.reason}: ${o.tag}`,
    quality: null, epoch: deviceId ? 7 : null,
  };
}

export function settlement(epoch: number, overrides: Partial<SettlementV1> = {}): SettlementV1 {
  const payouts = [
    { owner: `0x${'1'.repeat(40)}`, amount: '123456789012345678901234567' },
    { owner: `0x${'2'.repeat(40)}`, amount: '1000000000000000000' },
  ];
  return {
    v: 1, epoch, root: `0x${sha256Hex(`root/${epoch}`)}`, total: '123456790012345678901234567', payouts,
    tree: { format: 'standard-v1', leafEncoding: ['address', 'uint256'], tree: ['0xab'], values: [] },
    closedAt: (T0 + 86_400 * (epoch + 1)) * 1000, ...overrides,
  };
}

export function sharesFor(epoch: number): RewardShareV1[] {
  return [
    { epoch, deviceId: deviceIdFor(2), owner: `0x${'2'.repeat(40)}`, score: 1234.5, amount: '1000000000000000000', outcome: 'earned' },
    { epoch, deviceId: deviceIdFor(1), owner: `0x${'1'.repeat(40)}`, score: 0.1 + 0.2, amount: '123456789012345678901234567', outcome: 'earned' },
    { epoch, deviceId: deviceIdFor(3), owner: null, score: 17, amount: '0', outcome: 'no_owner' },
  ];
}
