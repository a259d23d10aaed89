// Prometheus metrics of the verifier (prom-client): readings by verdict, pipeline latency, ingest queue depth.
// A registry per service instance (not the global one) so that tests and several services in one process do not mix.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { VerdictV1 } from '../types.js';

export interface VerifierMetrics {
  registry: Registry;
  observeVerdict(verdict: VerdictV1, latencyMs: number): void;
  setQueueDepth(depth: number): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): VerifierMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fieldproof_' });
  const readings = new Counter({
    name: 'fieldproof_readings_total',
    help: 'Readings by verdict status and reason code',
    labelNames: ['status', 'reason'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'fieldproof_pipeline_latency_seconds',
    help: 'From receipt to recorded verdict',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const queue = new Gauge({ name: 'fieldproof_ingest_queue_depth', help: 'Readings received and not yet judged', registers: [registry] });
  return {
    registry,
    observeVerdict(verdict, latencyMs) {
      readings.inc({ status: verdict.status, reason: verdict.reason });
      latency.observe(latencyMs / 1000);
    },
    setQueueDepth: (depth) => queue.set(depth),
  };
}
