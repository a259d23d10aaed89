// The JSON of a device and of a reading as the HTTP API serves them (api.ts). A module of its own, free of the
// server's imports, so the dashboard can take its types from these functions rather than restate them.
import { toHex } from '../../core/bytes.js';
import type { AcceptedReadingV1, DeviceRecordV1 } from '../types.js';

export function deviceJson(d: DeviceRecordV1) {
  return {
    deviceId: d.deviceId,
    publicKey: toHex(d.publicKey),
    model: d.model,
    sensorKinds: d.sensorKinds,
    location: d.location,
    area: d.area,
    owner: d.owner,
    status: d.status,
    registeredAt: new Date(d.registeredAt).toISOString(),
  };
}

export function readingJson(r: AcceptedReadingV1) {
  return {
    deviceId: r.deviceId,
    seq: r.seq,
    time: new Date(r.time * 1000).toISOString(),
    receivedAt: new Date(r.receivedAt).toISOString(),
    epoch: r.epoch,
    measurements: r.measurements,
    backfilled: r.backfilled,
    maintenance: r.maintenance,
    quality: r.quality,
    messageHash: r.messageHash,
    message: toHex(r.message),
  };
}
