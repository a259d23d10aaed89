// The run's report: what was sent and what the verifier made of it, per profile; who the settled rewards went
// to; the two targets (attackers capture < 1 % of rewards, honest false rejections < 0.5 %) and, where a
// profile gets through, why. Written as JSON and Markdown to the run's directory, and served live to the
// dashboard. Everything in it comes from the simulated world, so two runs with the same seed give the same report.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ledger } from '../verifier/ledger/ledger.js';
import type { NodePlan } from './fleet-plan.js';
import { PROFILE_INFO, PROFILES, type Profile, type ProfileKind } from './profiles.js';
import type { Tally } from './tally.js';

export const ATTACKER_SHARE_TARGET = 0.01;
export const FALSE_REJECTION_TARGET = 0.005;

export interface ProfileReport {
  profile: Profile;
  kind: ProfileKind;
  describe: string;
  nodes: number;
  sent: number;
  accepted: number;
  rejected: number;
  recorded: number;
  byReason: Record<string, number>;
  /** Share of all rewards paid in the closed epochs that this profile's owners captured (see `captured`). */
  rewardShare: number;
  /** Base units paid to the devices this profile runs or impersonates. */
  rewards: string;
}

export interface SimReport {
  seed: number;
  nodes: number;
  accel: number | 'max';
  simTime: { from: string; to: string };
  totals: { sent: number; accepted: number; rejected: number; recorded: number; pending: number; byReason: Record<string, number>; leftInOutboxes: number };
  profiles: ProfileReport[];
  honest: { sent: number; accepted: number; falseRejections: number; falseRejectionRate: number; reasons: Record<string, number>; target: number; met: boolean };
  attackers: { rewardShare: number; target: number; met: boolean };
  epochs: { epoch: number; root: string; total: string }[];
  findings: string[];
}

export interface ReportInput {
  plans: readonly NodePlan[];
  tally: Tally;
  ledger: Ledger;
  closedEpochs: readonly number[];
  seed: number;
  accel: number;
  startMs: number;
  nowMs: number;
  leftInOutboxes: number;
}

/**
 * What an attack profile captures: everything its owners are paid when its devices do not measure for real, and
 * what a genuine but misbehaving device (flooding) earns beyond the median honest device of the same epoch.
 * A cloned board carries an honest victim's key, so its readings pay the victim, not the attacker: it captures
 * nothing, and its harm is in the readings that got through.
 */
export async function buildReport(input: ReportInput): Promise<SimReport> {
  const { plans, tally } = input;
  const byDevice = new Map(plans.filter((p) => p.profile !== 'cloned_key').map((p) => [p.deviceId, p]));
  const paid = new Map<Profile, bigint>();
  const captured = new Map<Profile, bigint>();
  let total = 0n;
  const epochs: SimReport['epochs'] = [];
  for (const epoch of [...input.closedEpochs].sort((a, b) => a - b)) {
    const settlement = await input.ledger.getSettlement(epoch);
    if (settlement) epochs.push({ epoch, root: settlement.root, total: settlement.total });
    const shares = await input.ledger.getShares(epoch);
    const honestAmounts = shares
      .filter((s) => byDevice.get(s.deviceId)?.profile === 'honest' && s.outcome === 'earned')
      .map((s) => BigInt(s.amount))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const median = honestAmounts.length ? honestAmounts[Math.floor(honestAmounts.length / 2)]! : 0n;
    for (const s of shares) {
      const amount = BigInt(s.amount);
      total += amount;
      const plan = byDevice.get(s.deviceId);
      if (!plan) continue;
      paid.set(plan.profile, (paid.get(plan.profile) ?? 0n) + amount);
      const info = PROFILE_INFO[plan.profile];
      if (info.kind !== 'attack') continue;
      const take = info.genuine ? (amount > median ? amount - median : 0n) : amount;
      captured.set(plan.profile, (captured.get(plan.profile) ?? 0n) + take);
    }
  }
  const share = (x: bigint) => (total > 0n ? Number((x * 1_000_000n) / total) / 1_000_000 : 0);

  const { byProfile, legit } = tally.counts();
  const nodesOf = new Map<Profile, number>();
  for (const p of plans) nodesOf.set(p.profile, (nodesOf.get(p.profile) ?? 0) + 1);
  const profiles: ProfileReport[] = [];
  const totals = { sent: 0, accepted: 0, rejected: 0, recorded: 0, pending: tally.pending, byReason: {} as Record<string, number>, leftInOutboxes: input.leftInOutboxes };
  for (const profile of PROFILES) {
    const c = byProfile.get(profile);
    const nodes = nodesOf.get(profile) ?? 0;
    if (!nodes && !c) continue;
    const info = PROFILE_INFO[profile];
    const counts = c ?? { sent: 0, accepted: 0, rejected: 0, recorded: 0, byReason: {} };
    profiles.push({
      profile,
      kind: info.kind,
      describe: info.describe,
      nodes,
      ...counts,
      byReason: sortKeys(counts.byReason),
      rewardShare: info.kind === 'attack' ? share(captured.get(profile) ?? 0n) : share(paid.get(profile) ?? 0n),
      rewards: String(info.kind === 'attack' ? (captured.get(profile) ?? 0n) : (paid.get(profile) ?? 0n)),
    });
    totals.sent += counts.sent;
    totals.accepted += counts.accepted;
    totals.rejected += counts.rejected;
    totals.recorded += counts.recorded;
    for (const [r, n] of Object.entries(counts.byReason)) totals.byReason[r] = (totals.byReason[r] ?? 0) + n;
  }
  totals.byReason = sortKeys(totals.byReason);

  const attackerShare = profiles.filter((p) => p.kind === 'attack').reduce((s, p) => s + p.rewardShare, 0);
  const falseRejectionRate = legit.sent ? legit.rejected / legit.sent : 0;
  const report: SimReport = {
    seed: input.seed,
    nodes: plans.length,
    accel: Number.isFinite(input.accel) ? input.accel : 'max',
    simTime: { from: new Date(input.startMs).toISOString(), to: new Date(input.nowMs).toISOString() },
    totals,
    profiles,
    honest: {
      sent: legit.sent,
      accepted: legit.sent - legit.rejected,
      falseRejections: legit.rejected,
      falseRejectionRate,
      reasons: sortKeys(legit.reasons),
      target: FALSE_REJECTION_TARGET,
      met: falseRejectionRate < FALSE_REJECTION_TARGET,
    },
    attackers: { rewardShare: Math.round(attackerShare * 1e6) / 1e6, target: ATTACKER_SHARE_TARGET, met: attackerShare < ATTACKER_SHARE_TARGET },
    epochs,
    findings: [],
  };
  report.findings = findings(report);
  return report;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** Plain statements of what got through and why, from the figures. */
function findings(r: SimReport): string[] {
  const out: string[] = [];
  out.push(
    r.attackers.met
      ? `Attackers captured ${pct(r.attackers.rewardShare)} of rewards (target < ${pct(r.attackers.target)}).`
      : `Attackers captured ${pct(r.attackers.rewardShare)} of rewards, above the target of ${pct(r.attackers.target)}.`,
  );
  out.push(
    r.honest.met
      ? `Honest false rejections: ${pct(r.honest.falseRejectionRate)} of ${r.honest.sent} genuine readings (target < ${pct(r.honest.target)}).`
      : `Honest false rejections: ${pct(r.honest.falseRejectionRate)} of ${r.honest.sent} genuine readings, above the target of ${pct(r.honest.target)}; reasons: ${JSON.stringify(r.honest.reasons)}.`,
  );
  for (const p of r.profiles) {
    if (p.kind !== 'attack' || p.sent === 0) continue;
    const through = p.accepted / p.sent;
    if (p.accepted === 0 && p.rewardShare === 0) continue;
    const why = WHY[p.profile];
    out.push(`${p.profile}: ${p.accepted} of ${p.sent} readings (${pct(through)}) accepted, ${pct(p.rewardShare)} of rewards captured. ${why ?? ''}`.trim());
  }
  const victims = r.profiles.find((p) => p.profile === 'honest')?.byReason.key_conflict ?? 0;
  if (victims > 0) {
    out.push(
      `${victims} reading(s) of honest nodes whose key a clone carries were rejected as key_conflict with their clones'; ` +
        'they are not counted as false rejections: a node whose key an attacker holds cannot be told from its clone, and its owner must re-provision it.',
    );
  }
  if (r.totals.pending > 0) out.push(`${r.totals.pending} reading(s) had no verdict when the report was made.`);
  if (r.totals.leftInOutboxes > 0) out.push(`${r.totals.leftInOutboxes} reading(s) were still in node outboxes at the end.`);
  return out;
}

const WHY: Partial<Record<Profile, string>> = {
  cloned_key:
    'A clone signs with a registered key and numbers its readings where the original never will, so it passes every ' +
    "check at ingest; its readings count until the epoch closes, when the key-conflict review rejects all of the device's " +
    'readings of the epoch. It earns nothing (the victim owns the device), and the victim earns nothing while the clone runs.',
  invented:
    'Invented values that stay within the neighbours\' spread pass the robust z-score; only values further than ' +
    'zReject robust deviations from the neighbourhood median are rejected, and a device earns nothing for an epoch ' +
    'only when fewer than half of its readings are within zFull. An invented station that happens to match the ' +
    'weather for an epoch earns like an honest one; catching it needs longer memory (how a station tracks its ' +
    "neighbours' changes over days), which the verifier does not have yet.",
  flooding:
    'Readings sent faster than the schedule are accepted but earn nothing extra: scoring counts sampling slots, not readings.',
};

export function reportMarkdown(r: SimReport): string {
  const lines: string[] = [];
  lines.push(`# fieldproof simulation report`, '');
  lines.push(`Seed ${r.seed}, ${r.nodes} nodes, simulated ${r.simTime.from} to ${r.simTime.to}, acceleration ${r.accel}.`, '');
  lines.push('## Findings', '', ...r.findings.map((f) => `- ${f}`), '');
  lines.push('## Readings', '');
  lines.push(`Sent ${r.totals.sent}, accepted ${r.totals.accepted}, rejected ${r.totals.rejected}, recorded (maintenance) ${r.totals.recorded}, awaiting a verdict ${r.totals.pending}.`, '');
  lines.push('| reason | readings |', '|---|---:|', ...Object.entries(r.totals.byReason).map(([k, v]) => `| ${k} | ${v} |`), '');
  lines.push('## Profiles', '');
  lines.push('| profile | kind | nodes | sent | accepted | rejected | reward share | rejected by |', '|---|---|---:|---:|---:|---:|---:|---|');
  for (const p of r.profiles) {
    const reasons = Object.entries(p.byReason)
      .filter(([k]) => k !== 'ok')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(`| ${p.profile} | ${p.kind} | ${p.nodes} | ${p.sent} | ${p.accepted} | ${p.rejected} | ${pct(p.rewardShare)} | ${reasons} |`);
  }
  lines.push('', 'Reward share: for honest and faulty profiles what their owners were paid; for attacks what the attacker captured.', '');
  lines.push('## Epochs', '', '| epoch | Merkle root | total paid |', '|---:|---|---:|', ...r.epochs.map((e) => `| ${e.epoch} | \`${e.root}\` | ${e.total} |`), '');
  return lines.join('\n');
}

export function writeReport(dir: string, r: SimReport): { json: string; markdown: string } {
  const json = join(dir, 'report.json');
  const markdown = join(dir, 'report.md');
  writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(markdown, reportMarkdown(r));
  return { json, markdown };
}
