// A pipeline over an in-memory SQLite ledger, a registered device, and a helper that signs readings as the
// node core does.
import { toHex } from '../../src/core/bytes.js';
import { signSign1 } from '../../src/core/cose-sign1.js';
import { deviceIdOf } from '../../src/core/device-id.js';
import { encodeReading, type MeasurementV1 } from '../../src/core/reading.js';
import { createNobleSigner, nobleVerify, type Signer } from '../../src/core/signer.js';
import { nodeTopics } from '../../src/core/topics.js';
import { SqliteLedger } from '../../src/verifier/ledger/sqlite-ledger.js';
import { DeviceCache } from '../../src/verifier/device-cache.js';
import { DeviceHistory } from '../../src/verifier/device-history.js';
import { IngestLanes } from '../../src/verifier/ingest-lanes.js';
import { DEFAULT_TIME_WINDOW, ingest, ingestReport, type PipelineDeps } from '../../src/verifier/pipeline.js';
import { DEFAULT_QUALITY_CONFIG } from '../../src/verifier/quality/quality-config.js';
import { areaOf } from '../../src/verifier/registry/area.js';
import { epochOf, parseRewardConfig } from '../../src/verifier/rewards/epochs.js';
import type { DeviceRecordV1 } from '../../src/verifier/types.js';

export const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, the genesis below
export const REWARDS = parseRewardConfig({
  epochSeconds: 3600,
  genesis: T0,
  emission: { initial: '1000000', halvingEvery: 1000 },
  maxDeviceShare: 0.5,
  maxDevicesPerArea: 5,
  minQuality: 0.5,
  readingIntervalSeconds: 60,
});

export interface Fixture {
  ledger: SqliteLedger;
  deps: PipelineDeps;
  signer: Signer;
  deviceId: string;
  topic: string;
  sign(options: { seq: number; time: number; values?: Record<string, number>; backfilled?: boolean; maintenance?: boolean; signer?: Signer }): Uint8Array;
  submit(message: Uint8Array, receivedAtS: number, topic?: string): ReturnType<typeof ingest>;
  register(signer: Signer, overrides?: Partial<DeviceRecordV1>): Promise<string>;
}

export async function pipelineFixture(options: { history?: boolean; lanes?: boolean } = {}): Promise<Fixture> {
  const ledger = new SqliteLedger(':memory:');
  await ledger.open();
  const deps: PipelineDeps = {
    ledger,
    verify: nobleVerify,
    devices: new DeviceCache(ledger, { ttlMs: 0 }),
    quality: DEFAULT_QUALITY_CONFIG,
    time: DEFAULT_TIME_WINDOW,
    epochOf: (t) => epochOf(t, REWARDS),
    historyDepth: 400,
  };
  if (options.history) deps.history = new DeviceHistory(ledger, { depth: 400 });
  if (options.lanes) deps.lanes = new IngestLanes();
  const register = async (signer: Signer, overrides: Partial<DeviceRecordV1> = {}) => {
    const deviceId = toHex(deviceIdOf(signer.publicKey));
    const location = overrides.location ?? { lat: 47.37, lon: 8.54 };
    await ledger.putDevice({
      deviceId,
      publicKey: signer.publicKey,
      model: 'esp32-bme280',
      sensorKinds: ['bme280'],
      location,
      area: areaOf(location),
      owner: '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23',
      status: 'active',
      registeredAt: (T0 - 86_400) * 1000,
      attestation: new Uint8Array([1]),
      ...overrides,
    });
    return deviceId;
  };
  const signer = createNobleSigner(new Uint8Array(32).fill(11));
  const deviceId = await register(signer);
  const topic = nodeTopics(deviceId).readings;
  const sign: Fixture['sign'] = (o) => {
    const s = o.signer ?? signer;
    const values = o.values ?? { temperature: 14.2, humidity: 61.5, pressure: 101_320 };
    const measurements: MeasurementV1[] = Object.entries(values).map(([quantity, value]) => ({ quantity: quantity as MeasurementV1['quantity'], value, unit: '' }));
    const payload = encodeReading({
      deviceId: deviceIdOf(s.publicKey),
      seq: o.seq,
      time: o.time,
      measurements,
      firmware: new Uint8Array([1, 2, 3, 4]),
      flags: { backfilled: !!o.backfilled, maintenance: !!o.maintenance },
    });
    return signSign1(payload, s);
  };
  const submit: Fixture['submit'] = (message, receivedAtS, t = topic) => ingest(ingestReport(t, message, receivedAtS * 1000), deps);
  return { ledger, deps, signer, deviceId, topic, sign, submit, register };
}
