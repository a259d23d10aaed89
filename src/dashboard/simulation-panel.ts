// The "Simulation" panel: the report a fleet simulation running in this verifier serves at /v1/report. Rendered
// defensively: while a run is starting any field may be missing, and a missing one shows as '–'.
import { fill, h } from './dom.js';
import { amount, int, percent, shortHex, time } from './format.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '–');

const reasons = (v: unknown) => {
  const entries = Object.entries(obj(v)).filter(([, n]) => typeof n === 'number' && n > 0).sort(([, a], [, b]) => (b as number) - (a as number));
  return entries.length ? entries.map(([r, n]) => `${r} ${int(n)}`).join(', ') : '–';
};

export function renderSimulation(root: HTMLElement, report: unknown): void {
  const r = obj(report);
  const totals = obj(r.totals);
  const honest = obj(r.honest);
  const attackers = obj(r.attackers);
  const simTime = obj(r.simTime);
  const met = attackers.met;
  fill(
    root,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'seed'), h('dd', { 'data-field': 'seed' }, str(r.seed)),
      h('dt', {}, 'nodes'), h('dd', { 'data-field': 'nodes' }, int(r.nodes)),
      h('dt', {}, 'speed-up'), h('dd', {}, typeof r.accel === 'number' ? `${r.accel}×` : '–'),
      h('dt', {}, 'simulated time'), h('dd', {}, `${time(simTime.from)} → ${time(simTime.to)}`),
      h('dt', {}, 'sent'), h('dd', { 'data-field': 'sent' }, int(totals.sent)),
      h('dt', {}, 'accepted'), h('dd', { 'data-field': 'accepted' }, int(totals.accepted)),
      h('dt', {}, 'rejected'), h('dd', { 'data-field': 'rejected' }, int(totals.rejected)),
      h('dt', {}, 'pending'), h('dd', {}, int(totals.pending)),
      h('dt', {}, 'honest false rejections'),
      h('dd', { 'data-field': 'false-rejection-rate' }, `${percent(honest.falseRejectionRate, 2)} (${int(honest.falseRejections)} of ${int(honest.sent)})`),
      h('dt', {}, 'attackers’ reward share'),
      h(
        'dd',
        { 'data-field': 'attackers', class: met === true ? 'good' : met === false ? 'bad' : '' },
        `${percent(attackers.rewardShare, 2)} (target ≤ ${percent(attackers.target, 2)}${met === true ? ', met' : met === false ? ', NOT met' : ''})`,
      ),
    ),
    h('h3', {}, 'Profiles'),
    h(
      'table',
      { class: 'profiles' },
      h(
        'thead',
        {},
        h('tr', {}, ...['profile', 'kind', 'nodes', 'sent', 'accepted', 'got through', 'rejected', 'reward share', 'rewards', 'verdicts by reason'].map((c, i) => h('th', { class: i >= 2 && i <= 8 ? 'n' : '' }, c))),
      ),
      h(
        'tbody',
        {},
        arr(r.profiles).map((p) => {
          const x = obj(p);
          const sent = typeof x.sent === 'number' ? x.sent : NaN;
          const accepted = typeof x.accepted === 'number' ? x.accepted : NaN;
          return h(
            'tr',
            { 'data-profile': str(x.profile), class: `kind-${str(x.kind)}` },
            h('td', {}, str(x.profile)),
            h('td', {}, h('span', { class: `tag kind-${str(x.kind)}` }, str(x.kind))),
            h('td', { class: 'n' }, int(x.nodes)),
            h('td', { class: 'n' }, int(x.sent)),
            h('td', { class: 'n' }, int(x.accepted)),
            h('td', { class: 'n' }, sent > 0 ? percent(accepted / sent) : '–'),
            h('td', { class: 'n' }, int(x.rejected)),
            h('td', { class: 'n', 'data-field': 'reward-share' }, percent(x.rewardShare, 2)),
            h('td', { class: 'n' }, amount(x.rewards)),
            h('td', { class: 'reasons' }, reasons(x.byReason)),
          );
        }),
      ),
    ),
    arr(r.epochs).length > 0 &&
      h(
        'details',
        {},
        h('summary', {}, `Settled epochs (${arr(r.epochs).length})`),
        h(
          'table',
          { class: 'sim-epochs' },
          h('thead', {}, h('tr', {}, h('th', {}, 'epoch'), h('th', {}, 'root'), h('th', { class: 'n' }, 'total'))),
          h('tbody', {}, arr(r.epochs).map((e) => h('tr', {}, h('td', {}, str(obj(e).epoch)), h('td', { title: str(obj(e).root) }, shortHex(obj(e).root, 10)), h('td', { class: 'n' }, amount(obj(e).total))))),
        ),
      ),
    h('h3', {}, 'Findings'),
    arr(r.findings).length ? h('ul', { class: 'findings' }, arr(r.findings).map((f) => h('li', {}, str(f)))) : h('p', { class: 'empty' }, 'No findings yet.'),
  );
}
