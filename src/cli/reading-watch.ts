// Watches the readings of every node on a broker and checks each one: decode, device id from the signed
// status's public key, COSE signature. A stand-in for the verifier service (it credits nothing) that lets
// `fieldproof demo` show readings flowing and being verified.
import mqtt from 'mqtt';
import { toHex } from '../core/bytes.js';
import { decodeSign1, verifySign1 } from '../core/cose-sign1.js';
import { deviceIdOf, deviceIdText } from '../core/device-id.js';
import { decodeReading, type ReadingV1 } from '../core/reading.js';
import type { SignatureVerifier } from '../core/signer.js';
import { decodeStatus } from '../core/status.js';
import { deviceIdOfTopic, READINGS_FILTER, STATUS_FILTER } from '../core/topics.js';

export type WatchEvent =
  | { kind: 'reading'; deviceId: string; reading: ReadingV1; bytes: number; signature: 'valid' | 'invalid' | 'unknown_key' }
  | { kind: 'status'; deviceId: string; online: boolean; outbox: number }
  | { kind: 'rejected'; topic: string; reason: string; detail: string };

export interface ReadingWatch {
  close(): Promise<void>;
}

export async function watchReadings(url: string, verify: SignatureVerifier, onEvent: (e: WatchEvent) => void): Promise<ReadingWatch> {
  const keys = new Map<string, Uint8Array>();
  const client = await mqtt.connectAsync(url, { clientId: `fp-watch-${Math.random().toString(16).slice(2, 10)}`, reconnectPeriod: 1000 });
  client.on('message', (topic, payload) => {
    const deviceId = deviceIdOfTopic(topic);
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    if (!deviceId) return;
    const envelope = decodeSign1(bytes);
    if (!envelope.ok) {
      if (bytes.length > 0) onEvent({ kind: 'rejected', topic, reason: envelope.reason, detail: envelope.detail });
      return;
    }
    if (topic.endsWith('/status')) {
      const status = decodeStatus(envelope.parts.payload);
      if (!status.ok) return onEvent({ kind: 'rejected', topic, reason: status.reason, detail: status.detail });
      const pk = status.status.publicKey;
      // The status names its key; it is trusted only if the key hashes to the topic's id and signed the status.
      if (deviceIdText(deviceIdOf(pk)) !== deviceId || !verifySign1(envelope.parts, pk, verify)) {
        return onEvent({ kind: 'rejected', topic, reason: 'bad_signature', detail: 'status not signed by the key its device id comes from' });
      }
      keys.set(deviceId, pk);
      onEvent({ kind: 'status', deviceId, online: status.status.online, outbox: status.status.outboxDepth });
      return;
    }
    const decoded = decodeReading(envelope.parts.payload);
    if (!decoded.ok) return onEvent({ kind: 'rejected', topic, reason: decoded.reason, detail: decoded.detail });
    if (toHex(decoded.reading.deviceId) !== deviceId) {
      return onEvent({ kind: 'rejected', topic, reason: 'topic_mismatch', detail: 'signed device id differs from the topic' });
    }
    const key = keys.get(deviceId);
    const signature = key ? (verifySign1(envelope.parts, key, verify) ? 'valid' : 'invalid') : 'unknown_key';
    onEvent({ kind: 'reading', deviceId, reading: decoded.reading, bytes: bytes.length, signature });
  });
  await client.subscribeAsync([STATUS_FILTER, READINGS_FILTER], { qos: 1 });
  return { close: () => client.endAsync() };
}

export function formatReading(e: Extract<WatchEvent, { kind: 'reading' }>): string {
  const values = e.reading.measurements.map((m) => `${m.quantity}=${m.value}${m.unit === '%RH' ? '%RH' : ' ' + m.unit}`).join('  ');
  const flags = [e.reading.flags.backfilled ? 'backfilled' : '', e.reading.flags.maintenance ? 'maintenance' : ''].filter(Boolean).join(',');
  const mark = e.signature === 'valid' ? 'signature ok' : e.signature === 'invalid' ? 'SIGNATURE INVALID' : 'key not yet known';
  return `${e.deviceId} #${e.reading.seq}  ${values}  (${e.bytes} B, ${mark}${flags ? ', ' + flags : ''})`;
}
