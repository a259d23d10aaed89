// The verifier's JSON API as the dashboard reads it (same origin; the shapes come from the server's own code).
import type { fleetJson, rewardsJson, seriesJson } from '../verifier/http/fleet-status.js';
import type { deviceJson, readingJson } from '../verifier/http/resource-json.js';
import type { VerdictV1 } from '../verifier/types.js';

export type Fleet = ReturnType<typeof fleetJson>;
export type FleetDevice = Fleet['devices'][number];
export type Series = ReturnType<typeof seriesJson>;
export type Rewards = ReturnType<typeof rewardsJson>;
export type Device = ReturnType<typeof deviceJson>;
export type Reading = ReturnType<typeof readingJson>;
export type Verdict = VerdictV1;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  if (!r.ok) {
    let message = `${r.status} ${r.statusText}`;
    try {
      message = ((await r.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new HttpError(r.status, `${path}: ${message}`);
  }
  return (await r.json()) as T;
}

/** The report, or null when no simulation runs in this verifier (404). */
export async function getReport(): Promise<unknown> {
  try {
    return await getJson<unknown>('/v1/report');
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return null;
    throw error;
  }
}
