// A device's page (#/device/<id>): what the registry holds, its recent readings (charted and listed) and its recent
// verdicts, newest first.
import { getJson, type Device, type Reading, type Verdict } from './api.js';
import { QuantityCharts, type ChartSeries } from './charts.js';
import { fill, h } from './dom.js';
import { num, shortHex, time } from './format.js';
import type { Page } from './overview.js';

const LIMIT = 50;

export function devicePage(root: HTMLElement, deviceId: string): Page {
  const info = h('dl', { class: 'facts' });
  const chartsBox = h('div', { class: 'charts' });
  const readingsBox = h('div');
  const verdictsBox = h('div');
  fill(
    root,
    h('section', { id: 'device', class: 'panel wide' }, h('p', {}, h('a', { href: '#/' }, '← overview')), h('h2', {}, 'Device ', h('code', {}, deviceId)), info),
    h('section', { class: 'panel wide' }, h('h2', {}, 'Recent readings'), chartsBox, readingsBox),
    h('section', { class: 'panel wide' }, h('h2', {}, 'Recent verdicts'), verdictsBox),
  );
  const charts = new QuantityCharts(chartsBox);

  const showDevice = (d: Device) =>
    fill(
      info,
      h('dt', {}, 'owner'), h('dd', { title: d.owner ?? '' }, d.owner ?? '(none)'),
      h('dt', {}, 'status'), h('dd', { 'data-field': 'status' }, d.status),
      h('dt', {}, 'model'), h('dd', {}, d.model),
      h('dt', {}, 'sensors'), h('dd', {}, d.sensorKinds.join(', ')),
      h('dt', {}, 'location'), h('dd', {}, `${num(d.location.lat, 5)}, ${num(d.location.lon, 5)} (area ${d.area})`),
      h('dt', {}, 'registered'), h('dd', {}, time(d.registeredAt)),
      h('dt', {}, 'public key'), h('dd', {}, h('code', { title: d.publicKey }, shortHex(d.publicKey, 12))),
    );

  const showReadings = (readings: Reading[]) => {
    const series: Record<string, ChartSeries> = {};
    const oldestFirst = [...readings].reverse();
    const quantities = [...new Set(oldestFirst.flatMap((r) => r.measurements.map((m) => m.quantity)))];
    for (const q of quantities) {
      series[q] = {
        x: oldestFirst.map((r) => Date.parse(r.time) / 1000),
        mean: oldestFirst.map((r) => r.measurements.find((m) => m.quantity === q)?.value ?? null),
      };
    }
    charts.update(series);
    fill(
      readingsBox,
      readings.length === 0
        ? h('p', { class: 'empty' }, 'No accepted readings.')
        : h(
            'table',
            { class: 'readings' },
            h('thead', {}, h('tr', {}, h('th', {}, 'device time'), h('th', { class: 'n' }, 'seq'), ...quantities.map((q) => h('th', { class: 'n' }, q)), h('th', { class: 'n' }, 'quality'), h('th', {}, 'flags'))),
            h(
              'tbody',
              {},
              readings.map((r) =>
                h(
                  'tr',
                  { 'data-seq': r.seq, 'data-hash': r.messageHash },
                  h('td', {}, time(r.time)),
                  h('td', { class: 'n' }, r.seq),
                  ...quantities.map((q) => h('td', { class: 'n' }, num(r.measurements.find((m) => m.quantity === q)?.value, 3))),
                  h('td', { class: 'n' }, num(r.quality, 2)),
                  h('td', {}, [r.backfilled && 'backfilled', r.maintenance && 'maintenance'].filter(Boolean).join(', ')),
                ),
              ),
            ),
          ),
    );
  };

  const showVerdicts = (verdicts: Verdict[]) =>
    fill(
      verdictsBox,
      verdicts.length === 0
        ? h('p', { class: 'empty' }, 'No verdicts.')
        : h(
            'table',
            { class: 'verdicts' },
            h('thead', {}, h('tr', {}, h('th', {}, 'received'), h('th', { class: 'n' }, 'seq'), h('th', {}, 'status'), h('th', {}, 'reason'), h('th', {}, 'detail'), h('th', { class: 'n' }, 'quality'))),
            h(
              'tbody',
              {},
              verdicts.map((v) =>
                h(
                  'tr',
                  { 'data-hash': v.messageHash, 'data-reason': v.reason, class: `verdict-${v.status}` },
                  h('td', {}, time(v.receivedAt)),
                  h('td', { class: 'n' }, v.seq ?? '–'),
                  h('td', {}, h('span', { class: `tag verdict-${v.status}` }, v.status)),
                  h('td', {}, v.reason),
                  h('td', { class: 'detail' }, v.detail),
                  h('td', { class: 'n' }, num(v.quality, 2)),
                ),
              ),
            ),
          ),
    );

  return {
    async refresh() {
      const id = encodeURIComponent(deviceId);
      const [device, readings, verdicts] = await Promise.all([
        getJson<Device>(`/v1/devices/${id}`),
        getJson<Reading[]>(`/v1/devices/${id}/readings?limit=${LIMIT}`),
        getJson<Verdict[]>(`/v1/verdicts?device=${id}&limit=${LIMIT}`),
      ]);
      showDevice(device);
      showReadings(readings);
      showVerdicts(verdicts);
    },
    destroy() {
      charts.destroy();
    },
  };
}
