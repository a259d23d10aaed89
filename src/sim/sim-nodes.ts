// The simulated boards: for every planned node the real portable core (src/core FieldNode, Sampler,
// SequenceAllocator, outbox) with the desktop host's pieces (node:crypto signer, MQTT.js transport, files or
// memory for its records), on the fleet's simulated clock. Profiles change only what a real board of that kind
// would change: its sensors, its clock, its network, its key, its schedule. The attackers that are not boards
// (replay, tamper) sit on the network and publish what they captured.
import { join } from 'node:path';
import { FieldNode } from '../core/field-node.js';
import type { Log, Storage } from '../core/host.js';
import { MemoryStorage } from '../core/memory-storage.js';
import { MemoryOutbox, type Outbox } from '../core/outbox.js';
import { Sampler } from '../core/sampler.js';
import { SEQUENCE_RECORD, SequenceAllocator, writeSequenceFloor } from '../core/sequence.js';
import type { Signer } from '../core/signer.js';
import { nodeTopics } from '../core/topics.js';
import { FileOutbox } from '../../hosts/node/file-outbox.js';
import { FileStorage } from '../../hosts/node/file-storage.js';
import { createNativeSigner } from '../../hosts/node/native-signer.js';
import { desktopBuildId } from '../../hosts/node/desktop-node.js';
import { seededRandom } from '../../hosts/node/sim-sensors.js';
import { derive, type NodePlan } from './fleet-plan.js';
import { fleetSensorBindings, type FleetSensorContext } from './fleet-sensors.js';
import { quietLog, type BrokerLink, type BrokerLinks } from './broker-links.js';
import { GatedTransport } from './gated-transport.js';
import type { Lockstep } from './lockstep.js';
import { PROFILE_INFO, type Profile } from './profiles.js';
import { Tally } from './tally.js';

export const SIM_FIRMWARE_VERSION = 'fieldproof-sim 0.1';

export interface FleetContext {
  lockstep: Lockstep;
  sensors: FleetSensorContext;
  tally: Tally;
  /** How boards reach the broker: a connection each, or a shared pool. */
  links: BrokerLinks;
  intervalS: number;
  seed: number;
  /** 'files': records and outbox under dataDir/nodes/<id> (a run resumes); 'memory': nothing on disk. */
  storage: 'files' | 'memory';
  dataDir: string;
  log: Log;
  /** The last reading each genuine node got acknowledged, by node index (what a network attacker can capture). */
  captured: Map<number, Uint8Array>;
  /** Nodes whose key a clone carries: their readings cannot be told from the clone's, so none is counted as honest. */
  compromised: ReadonlySet<number>;
}

/** Anything in the fleet that publishes: a board, or an attacker on the network. */
export interface SimActor {
  plan: NodePlan;
  gate: GatedTransport;
  link: BrokerLink;
  outbox: Outbox | undefined;
  node: FieldNode | undefined;
  start(): void;
  stop(): Promise<void>;
}

function transportFor(ctx: FleetContext, clientId: string, name: string): { link: BrokerLink; gate: GatedTransport } {
  const link = ctx.links.link(clientId, name);
  return { link, gate: new GatedTransport(link.transport) };
}

/** Register every reading the gate sends with the tally, marking the sender's profile and legitimacy. */
function tallied(ctx: FleetContext, gate: GatedTransport, plan: NodePlan, legit: (topic: string, payload: Uint8Array) => boolean): void {
  const inner = gate.inner;
  const publish = inner.publish.bind(inner);
  inner.publish = async (topic, payload, options) => {
    if (!topic.endsWith('/readings')) return publish(topic, payload, options);
    const failed = ctx.tally.sent(payload, { profile: plan.profile, node: plan.index, legit: legit(topic, payload) });
    try {
      await publish(topic, payload, options);
    } catch (error) {
      failed();
      throw error;
    }
  };
}

function recordsFor(ctx: FleetContext, plan: NodePlan, suffix = ''): { storage: Storage; outbox: Outbox } {
  if (ctx.storage === 'memory') return { storage: new MemoryStorage(), outbox: new MemoryOutbox(10_000) };
  const dir = join(ctx.dataDir, 'nodes', `${plan.deviceId}${suffix}`);
  return { storage: new FileStorage(dir), outbox: new FileOutbox(join(dir, 'outbox.log'), { capacity: 10_000, sync: false }) };
}

/** A board running the real core. */
function board(ctx: FleetContext, plan: NodePlan, options: { signer: Signer; clientId: string; seqFloor?: number; timerDelayMs?: number; intervalS?: number; suffix?: string }): SimActor {
  const { storage, outbox } = recordsFor(ctx, plan, options.suffix);
  if (storage.get(SEQUENCE_RECORD) === undefined) writeSequenceFloor(storage, options.seqFloor ?? 0);
  const sequence = new SequenceAllocator(storage, { fresh: false });
  const { link, gate } = transportFor(ctx, options.clientId, plan.name);
  // Legitimate: a genuine measurement, correctly timed, from an honest owner. Its rejection is a false one.
  const legit = (plan.profile === 'honest' || plan.profile === 'offline_backfill') && !ctx.compromised.has(plan.index);
  tallied(ctx, gate, plan, () => legit);
  if (PROFILE_INFO[plan.profile].genuine) gate.onDelivered = (topic, payload) => topic.endsWith('/readings') && ctx.captured.set(plan.index, payload);
  const skew = plan.profile === 'clock_skew' ? plan.traits.skewMs : 0;
  const sampler = new Sampler(fleetSensorBindings(plan, ctx.sensors, plan.index * 7919 + ctx.seed), () => {});
  const node = new FieldNode(
    {
      clock: ctx.lockstep.clock(skew),
      timer: options.timerDelayMs ? ctx.lockstep.delayedTimer(options.timerDelayMs) : ctx.lockstep.timer,
      signer: options.signer,
      sequence,
      outbox,
      transport: gate,
      sampler,
      log: quietLog(ctx.log, plan.name),
      diagnostics: () => ({ host: 'sim', profile: plan.profile }),
    },
    {
      intervalMs: (options.intervalS ?? ctx.intervalS) * 1000,
      firmwareBuild: desktopBuildId(SIM_FIRMWARE_VERSION),
      firmwareVersion: SIM_FIRMWARE_VERSION,
      statusIntervalMs: 3_600_000,
    },
  );
  return {
    plan,
    gate,
    link,
    outbox,
    node,
    start() {
      link.connect();
      node.start();
    },
    async stop() {
      await node.stop();
      await link.close();
      if (outbox instanceof FileOutbox) outbox.close();
    },
  };
}

/** A network attacker: every interval it publishes what `craft` makes of the captured readings. */
function networkAttacker(ctx: FleetContext, plan: NodePlan, craft: (pick: () => [number, Uint8Array] | undefined) => { topic: string; message: Uint8Array }[]): SimActor {
  const { link, gate } = transportFor(ctx, `fp-sim-${plan.deviceId}`, plan.name);
  tallied(ctx, gate, plan, () => false);
  const random = seededRandom(plan.index * 104_729 + ctx.seed);
  const pick = (): [number, Uint8Array] | undefined => {
    if (ctx.captured.size === 0) return undefined;
    const keys = [...ctx.captured.keys()].sort((a, b) => a - b);
    const k = keys[Math.floor(random() * keys.length)]!;
    return [k, ctx.captured.get(k)!];
  };
  let handle: unknown;
  let running = false;
  const interval = ctx.intervalS * 1000;
  const phase = (plan.index * 7_777) % interval;
  const schedule = () => {
    if (!running) return;
    const now = ctx.lockstep.now;
    const next = Math.floor((now - phase) / interval) * interval + interval + phase;
    handle = ctx.lockstep.timer.set(() => {
      if (gate.connected) for (const m of craft(pick)) gate.publish(m.topic, m.message, { qos: 1 }).catch(() => {});
      schedule();
    }, next - now);
  };
  return {
    plan,
    gate,
    link,
    outbox: undefined,
    node: undefined,
    start() {
      running = true;
      link.connect();
      schedule();
    },
    async stop() {
      running = false;
      ctx.lockstep.timer.clear(handle);
      await link.close();
    },
  };
}

/** Flip one bit in the payload's last measurement value: still well-formed CBOR, no longer what was signed. */
export function tamperWith(message: Uint8Array): Uint8Array {
  const out = message.slice();
  // COSE_Sign1 = [protected, {}, payload, signature]; the signature is the last 64 bytes and the payload ends just
  // before its 2-byte header (0x58 0x40). The byte before that is the low byte of the last value or a flags value.
  const i = out.length - 64 - 2 - 1;
  out[i] = out[i]! ^ 0x01;
  return out;
}

/** Build the actor of one planned node. `plans` is the whole fleet (a clone needs its victim's key). */
export function createActor(ctx: FleetContext, plan: NodePlan, plans: readonly NodePlan[]): SimActor {
  const own = () => createNativeSigner(plan.secretKey);
  switch (plan.profile as Profile) {
    case 'forged_signature': {
      // Its readings carry its registered device id and public key, signed with some other key.
      const registered = own();
      const other = createNativeSigner(derive(ctx.seed, 'forger', plan.index));
      const forger: Signer = { publicKey: registered.publicKey, sign: (m) => other.sign(m) };
      return board(ctx, plan, { signer: forger, clientId: `fp-sim-${plan.deviceId}` });
    }
    case 'cloned_key': {
      // A second board with an honest node's key, elsewhere, numbering from far above the victim so its
      // sequence numbers never collide (a careful cloner), on the same schedule 20 s later.
      const victim = plans[plan.traits.victim];
      if (!victim) return board(ctx, plan, { signer: own(), clientId: `fp-sim-${plan.deviceId}` });
      return board(ctx, plan, { signer: createNativeSigner(victim.secretKey), clientId: `fp-sim-clone-${plan.deviceId}`, seqFloor: 1_000_000_000, timerDelayMs: 20_000 });
    }
    case 'flooding':
      return board(ctx, plan, { signer: own(), clientId: `fp-sim-${plan.deviceId}`, intervalS: Math.max(1, Math.round(ctx.intervalS / 12)) });
    case 'replay':
      return networkAttacker(ctx, plan, (pick) => {
        const got = pick();
        if (!got) return [];
        const [victim, message] = got;
        // The same bytes again on the victim's topic, and on the attacker's own device's topic.
        return [
          { topic: nodeTopics(plans[victim]!.deviceId).readings, message },
          { topic: nodeTopics(plan.deviceId).readings, message },
        ];
      });
    case 'tamper':
      return networkAttacker(ctx, plan, (pick) => {
        const got = pick();
        if (!got) return [];
        const [victim, message] = got;
        return [{ topic: nodeTopics(plans[victim]!.deviceId).readings, message: tamperWith(message) }];
      });
    default:
      // honest, faults, invented (its sensors invent), all on their own key and schedule.
      return board(ctx, plan, { signer: own(), clientId: `fp-sim-${plan.deviceId}` });
  }
}

/** Whether a planned node is registered with the verifier (a clone board is not: it carries another's key). */
export function isRegistered(plan: NodePlan): boolean {
  return plan.profile !== 'cloned_key';
}

export { Tally };
