// The overview page: fleet map with a legend, live charts per quantity, verdict counts by reason, rewards per
// owner, and the simulation report when one runs. refresh() is called every few seconds by main.ts.
import { getJson, getReport, type Fleet, type Rewards, type Series } from './api.js';
import { QuantityCharts } from './charts.js';
import { fill, h } from './dom.js';
import { int } from './format.js';
import { fleetMap } from './map.js';
import { renderRewards } from './rewards-table.js';
import { renderSimulation } from './simulation-panel.js';
import { renderVerdictCounts } from './verdict-counts.js';

const STATES: [string, string][] = [
  ['accepted', 'readings accepted recently'],
  ['rejected', 'a message rejected recently'],
  ['maintenance', 'maintenance readings only'],
  ['silent', 'no verdict recently'],
  ['inactive', 'suspended'],
];

export interface Page {
  refresh(): Promise<void>;
  destroy(): void;
}

export function overviewPage(root: HTMLElement): Page {
  const mapBox = h('div', { class: 'map-box' });
  const legend = h('ul', { class: 'legend' });
  const mapNote = h('p', { class: 'note' });
  const chartsBox = h('div', { class: 'charts' });
  const verdictsBox = h('div');
  const rewardsBox = h('div');
  const simBox = h('div');
  const simPanel = h('section', { id: 'simulation', class: 'panel wide', hidden: true }, h('h2', {}, 'Simulation'), simBox);
  fill(
    root,
    h('section', { id: 'map', class: 'panel map-panel' }, h('h2', {}, 'Nodes'), mapBox, legend, mapNote),
    h('section', { id: 'verdicts', class: 'panel' }, h('h2', {}, 'Verdicts by reason'), verdictsBox),
    h('section', { id: 'charts', class: 'panel wide' }, h('h2', {}, 'Readings across the fleet'), h('p', { class: 'note' }, 'Mean per minute (solid) with the minimum and maximum (dashed) over the last 30 minutes.'), chartsBox),
    h('section', { id: 'rewards', class: 'panel wide' }, h('h2', {}, 'Rewards per owner'), rewardsBox),
    simPanel,
  );
  const charts = new QuantityCharts(chartsBox);
  let mapKey: string | undefined;

  const showFleet = (fleet: Fleet) => {
    // Redraw the map only when a device or its state changed, so a hover or focus survives the poll.
    const key = fleet.devices.map((d) => `${d.deviceId}:${d.state}`).join(',');
    if (key !== mapKey) {
      mapKey = key;
      fill(mapBox, fleetMap(fleet.devices));
    }
    fill(
      legend,
      STATES.map(([state, meaning]) =>
        h('li', { 'data-state': state, title: meaning }, h('span', { class: `swatch state-${state}` }), `${state} `, h('b', { class: 'count' }, int(fleet.counts[state as keyof Fleet['counts']] ?? 0))),
      ),
    );
    fill(
      mapNote,
      fleet.devices.length === 0
        ? 'No device is registered yet.'
        : `${int(fleet.devices.length)} device(s); "recently" is the last ${Math.round(fleet.windowS / 60)} minutes. Click a node for its page.`,
    );
  };

  const showSeries = (series: Series) => {
    const out: Record<string, { x: number[]; mean: (number | null)[]; min: (number | null)[]; max: (number | null)[] }> = {};
    for (const [q, s] of Object.entries(series.quantities)) out[q] = { x: series.buckets, mean: s.mean, min: s.min, max: s.max };
    charts.update(out);
    if (Object.keys(out).length === 0) chartsBox.dataset.empty = 'true';
    else delete chartsBox.dataset.empty;
  };

  return {
    async refresh() {
      // Each panel draws as soon as its own data is in: a slow route (a tally catching up) holds up nothing else.
      const results = await Promise.allSettled([
        getJson<Fleet>('/v1/fleet').then(showFleet),
        getJson<Series>('/v1/series?window=1800&bucket=60').then(showSeries),
        getJson<Record<string, number>>('/v1/verdicts-by-reason').then((counts) => renderVerdictCounts(verdictsBox, counts)),
        getJson<Rewards>('/v1/rewards').then((rewards) => renderRewards(rewardsBox, rewards)),
        getReport().then((report) => {
          simPanel.hidden = report === null;
          if (report !== null) renderSimulation(simBox, report);
        }),
      ]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length > 0) throw new Error(failed.map((r) => (r.reason as Error).message).join('; '));
    },
    destroy() {
      charts.destroy();
    },
  };
}
