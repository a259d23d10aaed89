// The verifier's HTTP API (fastify): devices and onboarding, readings, verdicts, epochs and settlement proofs,
// health and Prometheus metrics. JSON in and out; bytes as lowercase hex. The fleet overview the dashboard reads
// is in fleet-routes.ts, the dashboard itself (served at /) in dashboard-routes.ts.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { fromHex } from '../../core/bytes.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ReasonCode } from '../reasons.js';
import { REASONS } from '../reasons.js';
import { issueNonce, registerDevice, transferDevice, type OnboardingCode, type OnboardingContext } from '../registry/onboarding.js';
import type { VerifierMetrics } from './metrics.js';
import { proveOwner } from '../rewards/settlement.js';
import { normaliseAddress } from '../registry/evm-account.js';
import { intQuery } from './query-params.js';
import { registerDashboard } from './dashboard-routes.js';
import { registerFleetRoutes, type FleetDeps } from './fleet-routes.js';
import { deviceJson, readingJson } from './resource-json.js';

export interface ApiDeps extends FleetDeps {
  ledger: Ledger;
  onboarding: OnboardingContext;
  metrics: VerifierMetrics;
  /** Called after a registration or transfer so caches drop the device. */
  onDeviceChanged?: (deviceId: string) => void;
  health?: () => Record<string, unknown>;
  /** Where the bundled dashboard is (index.html and its assets); dist/dashboard when absent. */
  dashboardDir?: string;
}

const STATUS_OF: Record<OnboardingCode, number> = {
  attestation_invalid: 400,
  attestation_untrusted: 403,
  claim_invalid: 400,
  nonce_invalid: 409,
  device_exists: 409,
  unknown_device: 404,
  transfer_invalid: 400,
  not_owner: 403,
};

const hexBody = (value: unknown, name: string): Uint8Array => {
  if (typeof value !== 'string' || !/^([0-9a-f]{2})+$/i.test(value)) throw Object.assign(new Error(`${name}: hex string expected`), { statusCode: 400, code: 'bad_request' });
  return fromHex(value.toLowerCase());
};

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const { ledger } = deps;
  const fail = (reply: FastifyReply, code: OnboardingCode, detail: string) => reply.code(STATUS_OF[code]).send({ code, message: detail });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    void reply.code(status).send({ code: error.code ?? 'internal', message: status === 500 ? 'internal error' : error.message });
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  const fleet = registerFleetRoutes(app, deps);
  const deviceChanged = (deviceId: string) => {
    fleet.deviceChanged();
    deps.onDeviceChanged?.(deviceId);
  };

  app.get('/health', async () => ({ ok: true, ...(deps.health?.() ?? {}) }));
  app.get('/metrics', async (_req, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));

  app.get('/v1/devices', async () => (await ledger.listDevices()).map(deviceJson));
  app.get<{ Params: { id: string } }>('/v1/devices/:id', async (req, reply) => {
    const d = await ledger.getDevice(req.params.id);
    return d ? deviceJson(d) : reply.code(404).send({ code: 'unknown_device', message: `no device ${req.params.id}` });
  });
  app.post('/v1/nonces', async () => issueNonce(deps.onboarding));
  app.post<{ Body: { attestation?: string; claim?: string } }>('/v1/devices', async (req, reply) => {
    const result = await registerDevice(deps.onboarding, { attestation: hexBody(req.body?.attestation, 'attestation'), claim: hexBody(req.body?.claim, 'claim') });
    if (!result.ok) return fail(reply, result.code, result.detail);
    deviceChanged(result.value.deviceId);
    return reply.code(201).send(deviceJson(result.value));
  });
  app.post<{ Params: { id: string }; Body: { to?: string; nonce?: string; signature?: string } }>('/v1/devices/:id/transfer', async (req, reply) => {
    const result = await transferDevice(deps.onboarding, {
      deviceId: req.params.id,
      to: String(req.body?.to ?? ''),
      nonce: String(req.body?.nonce ?? ''),
      signature: hexBody(req.body?.signature, 'signature'),
    });
    if (!result.ok) return fail(reply, result.code, result.detail);
    deviceChanged(result.value.deviceId);
    return deviceJson(result.value);
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/v1/devices/:id/readings', async (req) => {
    const limit = intQuery(req.query.limit, 'limit', 1, 1000, 100);
    return (await ledger.recentReadings(req.params.id, Number.MAX_SAFE_INTEGER, limit)).map(readingJson);
  });

  app.get<{ Querystring: { device?: string; reason?: string; before?: string; limit?: string } }>('/v1/verdicts', async (req) => {
    const reason = req.query.reason;
    if (reason !== undefined && (typeof reason !== 'string' || !Object.hasOwn(REASONS, reason))) throw Object.assign(new Error(`reason: one of ${Object.keys(REASONS).join(', ')}`), { statusCode: 400, code: 'bad_request' });
    const device = req.query.device;
    if (device !== undefined && (typeof device !== 'string' || !/^[0-9a-f]{16}$/.test(device))) {
      throw Object.assign(new Error('device: one device id, 16 lowercase hex digits'), { statusCode: 400, code: 'bad_request' });
    }
    return ledger.listVerdicts({
      deviceId: device,
      reason: reason as ReasonCode | undefined,
      before: req.query.before === undefined ? undefined : intQuery(req.query.before, 'before', 0, Number.MAX_SAFE_INTEGER, 0),
      limit: intQuery(req.query.limit, 'limit', 1, 1000, 100),
    });
  });
  app.get<{ Params: { hash: string } }>('/v1/verdicts/:hash', async (req, reply) => {
    const v = await ledger.getVerdict(req.params.hash);
    return v ?? reply.code(404).send({ code: 'unknown_message', message: `no verdict for ${req.params.hash}` });
  });
  app.get('/v1/verdicts-by-reason', async () => ledger.countVerdictsByReason());

  app.get('/v1/epochs', async () => ledger.listSettlements());
  app.get<{ Params: { epoch: string } }>('/v1/epochs/:epoch', async (req, reply) => {
    const epoch = intQuery(req.params.epoch, 'epoch', 0, 1e9, 0);
    const s = await ledger.getSettlement(epoch);
    if (!s) return reply.code(404).send({ code: 'epoch_open', message: `epoch ${epoch} is not closed` });
    return { epoch: s.epoch, root: s.root, total: s.total, payouts: s.payouts, closedAt: new Date(s.closedAt).toISOString(), shares: await ledger.getShares(epoch) };
  });
  app.get<{ Params: { epoch: string; owner: string } }>('/v1/epochs/:epoch/proofs/:owner', async (req, reply) => {
    if (!normaliseAddress(req.params.owner)) return reply.code(400).send({ code: 'bad_request', message: 'owner: an EVM address (0x + 40 hex)' });
    const epoch = intQuery(req.params.epoch, 'epoch', 0, 1e9, 0);
    const s = await ledger.getSettlement(epoch);
    if (!s) return reply.code(404).send({ code: 'epoch_open', message: `epoch ${epoch} is not closed` });
    const proof = proveOwner(s, req.params.owner);
    return proof ? { epoch, root: s.root, owner: req.params.owner.toLowerCase(), ...proof } : reply.code(404).send({ code: 'no_payout', message: `no payout for ${req.params.owner} in epoch ${epoch}` });
  });

  registerDashboard(app, deps.dashboardDir);
  return app;
}
