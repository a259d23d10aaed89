// MQTT topics of protocol v1. The version is in the topic so that v2 can run beside v1 on one broker.
import { isDeviceIdText } from './device-id.js';

export const TOPIC_ROOT = 'fieldproof/v1';

export interface NodeTopics {
  /** COSE_Sign1 readings, QoS 1, not retained. */
  readings: string;
  /** StatusV1, retained; the last will publishes the offline status here. */
  status: string;
  /** VerdictV1 per reading, published by the verifier. */
  verdicts: string;
}

export function nodeTopics(deviceIdHex: string): NodeTopics {
  if (!isDeviceIdText(deviceIdHex)) throw new TypeError('deviceIdHex: expected 16 lowercase hex digits');
  const base = `${TOPIC_ROOT}/nodes/${deviceIdHex}`;
  return { readings: `${base}/readings`, status: `${base}/status`, verdicts: `${base}/verdicts` };
}

/** Subscription filters for the verifier side. */
export const READINGS_FILTER = `${TOPIC_ROOT}/nodes/+/readings`;
export const STATUS_FILTER = `${TOPIC_ROOT}/nodes/+/status`;

/** The device id a readings/status/verdicts topic names, or undefined when the topic is not one of ours. */
export function deviceIdOfTopic(topic: string): string | undefined {
  const m = /^fieldproof\/v1\/nodes\/([0-9a-f]{16})\/(readings|status|verdicts)$/.exec(topic);
  return m ? m[1] : undefined;
}
