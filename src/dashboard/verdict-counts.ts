// Verdict counts by reason, as a table with a bar per reason (accepting reasons first, then by count).
import { REASONS } from '../verifier/reasons.js';
import { fill, h } from './dom.js';
import { int, percent } from './format.js';

const ACCEPTING = new Set(['ok', 'maintenance']);

export function renderVerdictCounts(root: HTMLElement, counts: Record<string, number>): void {
  const rows = Object.entries(counts).sort(([a, x], [b, y]) => Number(ACCEPTING.has(b)) - Number(ACCEPTING.has(a)) || y - x || (a < b ? -1 : 1));
  const total = rows.reduce((n, [, c]) => n + c, 0);
  const max = Math.max(1, ...rows.map(([, c]) => c));
  fill(
    root,
    rows.length === 0
      ? h('p', { class: 'empty' }, 'No verdicts yet.')
      : h(
          'table',
          { class: 'verdict-counts' },
          h('thead', {}, h('tr', {}, h('th', {}, 'reason'), h('th', { class: 'n' }, 'verdicts'), h('th', { class: 'n' }, 'share'), h('th', {}, ''))),
          h(
            'tbody',
            {},
            rows.map(([reason, n]) =>
              h(
                'tr',
                { 'data-reason': reason, class: ACCEPTING.has(reason) ? 'accepting' : 'rejecting' },
                h('td', { title: (REASONS as Record<string, string>)[reason] ?? '' }, reason),
                h('td', { class: 'n count' }, int(n)),
                h('td', { class: 'n' }, percent(n / total)),
                h('td', { class: 'bar-cell' }, h('span', { class: 'bar', style: `width:${((n / max) * 100).toFixed(1)}%` })),
              ),
            ),
          ),
          h('tfoot', {}, h('tr', {}, h('td', {}, 'total'), h('td', { class: 'n' }, int(total)), h('td', {}), h('td', {}))),
        ),
  );
}
