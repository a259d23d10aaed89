// A simulated fleet for the verifier benches: many registered devices, each with plausible, slowly varying
// readings (4 quantities), increasing seq and one reading a minute, signed with the native (node:crypto) signer.
// Values follow a daily cycle with a little deterministic noise, so the quality rules (ranges, jump, flat line)
// accept every reading, as they would an honest station's. A seed names the fleet: a new seed gives new keys, so
// new device ids and new topics.
import { createHash } from 'node:crypto';
import { toHex } from '../src/core/bytes.js';
import { signSign1 } from '../src/core/cose-sign1.js';
import { deviceIdOf } from '../src/core/device-id.js';
import { fromWire, quantityByName, toWire, type QuantityName } from '../src/core/quantities.js';
import { encodeReading, type MeasurementV1 } from '../src/core/reading.js';
import type { Signer } from '../src/core/signer.js';
import { nodeTopics } from '../src/core/topics.js';
import { areaOf } from '../src/verifier/registry/area.js';
import type { DeviceRecordV1, MeasurementValue } from '../src/verifier/types.js';
import { createNativeSigner } from '../hosts/node/native-signer.js';

export interface BenchDevice {
  index: number;
  signer: Signer;
  deviceId: string;
  deviceIdBytes: Uint8Array;
  topic: string;
  record: DeviceRecordV1;
}

/** One signed reading as a node publishes it. */
export interface SignedReading {
  device: BenchDevice;
  seq: number;
  time: number;
  topic: string;
  message: Uint8Array;
}

const FIRMWARE = new Uint8Array([1, 0, 4, 2]);
const OWNER = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';

export function benchFleet(count: number, seed: string): BenchDevice[] {
  return Array.from({ length: count }, (_, index) => {
    const secret = new Uint8Array(createHash('sha256').update(`fieldproof-bench/${seed}/${index}`).digest());
    const signer = createNativeSigner(secret);
    const deviceIdBytes = deviceIdOf(signer.publicKey);
    const deviceId = toHex(deviceIdBytes);
    // Stations spread over a 2 x 2 degree square (about 40,000 km2), as a regional deployment would be.
    const location = { lat: 46.5 + ((index * 7919) % 2000) / 1000, lon: 7.5 + ((index * 104_729) % 2000) / 1000 };
    return {
      index,
      signer,
      deviceId,
      deviceIdBytes,
      topic: nodeTopics(deviceId).readings,
      record: {
        deviceId,
        publicKey: signer.publicKey,
        model: 'esp32-bme280',
        sensorKinds: ['bme280', 'pms5003'],
        location,
        area: areaOf(location),
        owner: OWNER,
        status: 'active',
        registeredAt: 1_767_225_600_000,
        attestation: new Uint8Array([1]),
      },
    };
  });
}

/** A small deterministic noise in [-1, 1) from (device, seq, quantity). */
function noise(index: number, seq: number, salt: number): number {
  let h = Math.imul(index + 1, 0x9e37_79b1) ^ Math.imul(seq + 1, 0x85eb_ca6b) ^ Math.imul(salt + 1, 0xc2b2_ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b_3c6d);
  h ^= h >>> 13;
  return ((h >>> 0) / 2 ** 31) - 1;
}

/** The value as it survives the wire (scaled integer), so stored history equals what the verifier decodes. */
function atWire(quantity: QuantityName, value: number): number {
  const q = quantityByName(quantity)!;
  return fromWire(q, toWire(q, value));
}

/**
 * The 4 quantities of device `index` at Unix time `time`: a daily cycle with a per-device phase, plus noise well
 * inside the jump limits (3 Cel, 10 %RH, 100 Pa, 500 ug/m3 per minute) and large enough to never sit still for
 * the flat-line window (6 h).
 */
export function valuesAt(index: number, seq: number, time: number): MeasurementValue[] {
  const phase = ((index % 24) / 24) * 2 * Math.PI;
  const day = Math.sin((2 * Math.PI * (time % 86_400)) / 86_400 + phase);
  return [
    { quantity: 'temperature', value: atWire('temperature', 14 + 6 * day + 0.08 * noise(index, seq, 1)) },
    { quantity: 'humidity', value: atWire('humidity', 62 - 15 * day + 0.4 * noise(index, seq, 2)) },
    { quantity: 'pressure', value: atWire('pressure', 96_000 + (index % 50) * 100 + 250 * day + 20 * noise(index, seq, 3)) },
    { quantity: 'pm2_5', value: atWire('pm2_5', 9 + 4 * day + 1.5 * noise(index, seq, 4)) },
  ];
}

export function signReading(device: BenchDevice, seq: number, time: number): SignedReading {
  const measurements: MeasurementV1[] = valuesAt(device.index, seq, time).map((m) => ({
    quantity: m.quantity as QuantityName,
    value: m.value,
    unit: quantityByName(m.quantity)!.unit,
  }));
  const payload = encodeReading({ deviceId: device.deviceIdBytes, seq, time, measurements, firmware: FIRMWARE, flags: { backfilled: false, maintenance: false } });
  return { device, seq, time, topic: device.topic, message: signSign1(payload, device.signer) };
}

/**
 * `perDevice` readings of every device, interleaved as they arrive (one round over the fleet per minute):
 * device d's reading k has seq firstSeq + k and time firstTime + 60 k.
 */
export function signRounds(fleet: readonly BenchDevice[], perDevice: number, firstSeq: number, firstTime: number): SignedReading[] {
  const out: SignedReading[] = [];
  for (let k = 0; k < perDevice; k++) for (const device of fleet) out.push(signReading(device, firstSeq + k, firstTime + 60 * k));
  return out;
}
