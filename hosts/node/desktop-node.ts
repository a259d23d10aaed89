// A desktop node: the portable core wired to files, node:crypto, MQTT.js and simulated sensors.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FieldNode } from '../../src/core/field-node.js';
import type { Clock, Log, Timer } from '../../src/core/host.js';
import { Sampler } from '../../src/core/sampler.js';
import { SEQUENCE_RECORD, SequenceAllocator, writeSequenceFloor } from '../../src/core/sequence.js';
import { createNobleSigner } from '../../src/core/signer.js';
import { FileOutbox } from './file-outbox.js';
import { FileStorage } from './file-storage.js';
import { loadOrCreateKey } from './key-file.js';
import { MqttTransport } from './mqtt-transport.js';
import { createNativeSigner } from './native-signer.js';
import type { DesktopNodeConfig } from './node-config.js';
import { simulatedBindings } from './sim-sensors.js';
import { systemClock, systemTimer } from './system-clock.js';

export interface DesktopNode {
  node: FieldNode;
  transport: MqttTransport;
  outbox: FileOutbox;
  /** Stop sampling, say offline (retained), disconnect, close the outbox. Safe to call twice. */
  close(): Promise<void>;
}

export interface DesktopNodeDeps {
  log: Log;
  clock?: Clock;
  timer?: Timer;
  /** Seed of the simulated sensors (default: from the device id). */
  seed?: number;
}

/** Firmware build id of the desktop host: first 4 bytes of SHA-256 of the version text. */
export function desktopBuildId(version: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(version).digest().subarray(0, 4));
}

export function openDesktopNode(config: DesktopNodeConfig & { broker: string }, deps: DesktopNodeDeps): DesktopNode {
  const clock = deps.clock ?? systemClock;
  const timer = deps.timer ?? systemTimer;
  const storage = new FileStorage(config.dataDir);
  const keyPath = join(config.dataDir, 'key.json');
  // Write the sequence floor before a new key exists: a crash in between leaves a record and no key, never
  // a key without its record (which would be refused to avoid reusing numbers).
  if (!existsSync(keyPath) && storage.get(SEQUENCE_RECORD) === undefined) writeSequenceFloor(storage, 0);
  const key = loadOrCreateKey(keyPath, { create: true });
  const sequence = new SequenceAllocator(storage, { fresh: key.fresh });
  const outbox = new FileOutbox(join(config.dataDir, 'outbox.log'), { capacity: config.outboxCapacity });
  const signer = config.signer === 'native' ? createNativeSigner(key.secretKey) : createNobleSigner(key.secretKey);
  const seed = deps.seed ?? parseInt(key.deviceId.slice(0, 8), 16);
  const sampler = new Sampler(simulatedBindings(config.kind, { clock, seed, longitude: config.longitude }), (e) =>
    deps.log.warn(`sensor ${e.sensor}${e.quantity ? ` (${e.quantity})` : ''}: ${e.message}`),
  );
  let node: FieldNode | undefined;
  const transport = new MqttTransport({
    url: config.broker,
    clientId: `fp-${key.deviceId}`,
    log: deps.log,
    will: () => ({ topic: node!.topics.status, payload: node!.statusMessage(false) }),
  });
  node = new FieldNode(
    { clock, timer, signer, sequence, outbox, transport, sampler, log: deps.log, diagnostics: () => ({ host: 'node', pid: process.pid }) },
    { intervalMs: config.intervalS * 1000, firmwareBuild: desktopBuildId(config.firmwareVersion), firmwareVersion: config.firmwareVersion },
  );
  const theNode = node;
  transport.connect();
  theNode.start();
  let closing: Promise<void> | undefined;
  return {
    node: theNode,
    transport,
    outbox,
    close: () =>
      (closing ??= (async () => {
        await theNode.stop();
        if (transport.connected) {
          await transport.publish(theNode.topics.status, theNode.statusMessage(false), { qos: 1, retain: true }).catch(() => {});
        }
        await transport.close();
        outbox.close();
      })()),
  };
}
