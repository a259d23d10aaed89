// Live charts of readings, one uPlot chart per quantity: the mean across the fleet per time bucket, with the
// bucket's min and max. update() feeds new data to the existing charts (no redraw from scratch every poll).
import uPlot from 'uplot';
import { quantityByName } from '../core/quantities.js';
import { h } from './dom.js';

export interface ChartSeries {
  /** Unix s, one per point. */
  x: number[];
  mean: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
}

const WIDTH = 380;
const HEIGHT = 170;

export class QuantityCharts {
  readonly #root: HTMLElement;
  readonly #charts = new Map<string, { plot: uPlot; box: HTMLElement }>();

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  update(series: Record<string, ChartSeries>): void {
    const names = Object.keys(series).sort();
    for (const [name, chart] of this.#charts) {
      if (!series[name]) {
        chart.plot.destroy();
        chart.box.remove();
        this.#charts.delete(name);
      }
    }
    for (const name of names) {
      const s = series[name]!;
      const data: uPlot.AlignedData = [s.x, s.mean, s.min ?? s.mean.map(() => null), s.max ?? s.mean.map(() => null)];
      let chart = this.#charts.get(name);
      if (!chart) {
        const unit = quantityByName(name)?.unit ?? '';
        const box = h('figure', { class: 'chart', 'data-quantity': name }, h('figcaption', {}, name.replace('_', '.'), unit && h('span', { class: 'unit' }, ` ${unit}`)));
        this.#root.append(box);
        const plot = new uPlot(
          {
            width: Math.max(260, Math.min(WIDTH, this.#root.clientWidth - 16 || WIDTH)),
            height: HEIGHT,
            legend: { show: false },
            cursor: { drag: { x: false, y: false } },
            scales: { x: { time: true } },
            series: [
              {},
              { label: 'mean', stroke: '#1f6feb', width: 2, spanGaps: false },
              { label: 'min', stroke: '#8fb8f0', width: 1, dash: [4, 3] },
              { label: 'max', stroke: '#8fb8f0', width: 1, dash: [4, 3] },
            ],
            axes: [{ stroke: '#555', grid: { stroke: '#eee' } }, { stroke: '#555', grid: { stroke: '#eee' }, size: 72 }],
          },
          data,
          box,
        );
        chart = { plot, box };
        this.#charts.set(name, chart);
      } else {
        chart.plot.setData(data);
      }
      // For tests and for people: how many points the chart holds.
      chart.box.dataset.points = String(s.mean.filter((v) => v !== null).length);
    }
  }

  destroy(): void {
    for (const c of this.#charts.values()) c.plot.destroy();
    this.#charts.clear();
  }
}
