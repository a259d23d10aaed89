// Rewards per owner: one row per owner, one column per epoch: the open epoch's accepted readings so far (not yet
// money: an epoch pays only when it closes), then what each closed epoch paid, newest first.
import type { Rewards } from './api.js';
import { fill, h } from './dom.js';
import { amount, count, int, shortHex, time } from './format.js';

/** Owners shown; the rest are summed in one row so the table stays readable for a large fleet. */
const MAX_OWNERS = 25;

export function renderRewards(root: HTMLElement, rewards: Rewards): void {
  const epochs = rewards.epochs ?? [];
  const current = rewards.current;
  const owners = new Map<string, { readings?: number; paid: Map<number, bigint>; total: bigint }>();
  const row = (owner: string | null) => {
    const key = owner ?? '(no owner)';
    let r = owners.get(key);
    if (!r) owners.set(key, (r = { paid: new Map(), total: 0n }));
    return r;
  };
  for (const o of current?.readingsByOwner ?? []) row(o.owner).readings = o.readings;
  for (const e of epochs) {
    for (const p of e.payouts ?? []) {
      const r = row(p.owner);
      const a = BigInt(p.amount);
      r.paid.set(e.epoch, a);
      r.total += a;
    }
  }
  const sorted = [...owners.entries()].sort(([a, x], [b, y]) => (y.total > x.total ? 1 : y.total < x.total ? -1 : (y.readings ?? 0) - (x.readings ?? 0) || (a < b ? -1 : 1)));
  const shown = sorted.slice(0, MAX_OWNERS);
  const hidden = sorted.length - shown.length;
  if (sorted.length === 0 && !current) {
    fill(root, h('p', { class: 'empty' }, 'No epoch has closed yet.'));
    return;
  }
  fill(
    root,
    h(
      'table',
      { class: 'rewards' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'owner'),
          current &&
            h(
              'th',
              { class: 'n current', 'data-epoch': current.epoch, 'data-complete': current.complete, title: 'open epoch: accepted readings so far' },
              `epoch ${current.epoch} (open)`,
              !current.complete && h('span', { class: 'catching-up' }, ` counted up to ${time(current.countedUntil)}…`),
            ),
          epochs.map((e) => h('th', { class: 'n', 'data-epoch': e.epoch, title: `closed ${time(e.closedAt)}; root ${e.root}` }, `epoch ${e.epoch}`)),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map(([owner, r]) =>
          h(
            'tr',
            { 'data-owner': owner },
            h('td', { class: 'owner', title: owner }, shortHex(owner, 8)),
            current && h('td', { class: 'n current' }, r.readings === undefined ? '–' : count(r.readings, 'reading')),
            epochs.map((e) => h('td', { class: 'n', 'data-epoch': e.epoch }, r.paid.has(e.epoch) ? amount(r.paid.get(e.epoch)!.toString()) : '–')),
          ),
        ),
        hidden > 0 && h('tr', { class: 'more' }, h('td', { colspan: 1 + (current ? 1 : 0) + epochs.length }, `and ${hidden} more owner(s)`)),
      ),
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('td', {}, 'total'),
          current && h('td', { class: 'n' }, count((current.readingsByOwner ?? []).reduce((n, o) => n + o.readings, 0), 'reading')),
          epochs.map((e) => h('td', { class: 'n' }, amount(e.total))),
        ),
      ),
    ),
    h('p', { class: 'note' }, 'Amounts in token base units. The open epoch pays when it closes; until then it shows the readings accepted so far.'),
  );
}
