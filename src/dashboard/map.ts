// The fleet map: plain SVG, no tiles (the verifier may be offline). The basemap is a lat/lon graticule around the
// fleet; each device is a circle coloured by its state (class state-<state>, styled in style.css), linking to the
// device's page. Equirectangular, x scaled by cos(mid-latitude) so a small region keeps its shape.
import type { FleetDevice } from './api.js';
import { svg } from './dom.js';

const W = 800;
const H = 440;
const PAD = 28;
/** Drawn first to last, so the states that need attention end up on top. */
const DRAW_ORDER = ['inactive', 'silent', 'maintenance', 'accepted', 'rejected'];

const niceStep = (span: number): number => {
  const raw = span / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
};

const decimals = (step: number) => Math.max(0, -Math.floor(Math.log10(step)));

export function fleetMap(devices: FleetDevice[]): SVGSVGElement {
  const placed = devices.filter((d) => Number.isFinite(d.lat) && Number.isFinite(d.lon));
  const lats = placed.map((d) => d.lat);
  const lons = placed.map((d) => d.lon);
  let [latMin, latMax] = placed.length ? [Math.min(...lats), Math.max(...lats)] : [-60, 75];
  let [lonMin, lonMax] = placed.length ? [Math.min(...lons), Math.max(...lons)] : [-180, 180];
  // At least ~1 km of span, plus a margin, so one device or a tight cluster is not drawn at the very edge.
  const padLat = Math.max((latMax - latMin) * 0.1, 0.01);
  const padLon = Math.max((lonMax - lonMin) * 0.1, 0.01);
  latMin = Math.max(-90, latMin - padLat);
  latMax = Math.min(90, latMax + padLat);
  lonMin = Math.max(-180, lonMin - padLon);
  lonMax = Math.min(180, lonMax + padLon);
  const k = Math.max(0.1, Math.cos((((latMin + latMax) / 2) * Math.PI) / 180));
  const scale = Math.min((W - 2 * PAD) / ((lonMax - lonMin) * k), (H - 2 * PAD) / (latMax - latMin));
  const cx = (W - (lonMax - lonMin) * k * scale) / 2;
  const cy = (H - (latMax - latMin) * scale) / 2;
  const x = (lon: number) => cx + (lon - lonMin) * k * scale;
  const y = (lat: number) => H - cy - (lat - latMin) * scale;

  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'fleet-map', role: 'img', 'aria-label': `map of ${devices.length} devices` });
  root.append(svg('rect', { class: 'basemap', x: 0, y: 0, width: W, height: H }));
  const grid = svg('g', { class: 'graticule' });
  const step = Math.max(niceStep(latMax - latMin), niceStep((lonMax - lonMin) * k));
  const digits = decimals(step);
  for (let lat = Math.ceil(latMin / step) * step; lat <= latMax; lat += step) {
    grid.append(svg('line', { x1: 0, x2: W, y1: y(lat), y2: y(lat) }));
    grid.append(svg('text', { x: 4, y: y(lat) - 3 }, `${lat.toFixed(digits)}°`));
  }
  let lastLabel = -Infinity;
  for (let lon = Math.ceil(lonMin / step) * step; lon <= lonMax; lon += step) {
    grid.append(svg('line', { x1: x(lon), x2: x(lon), y1: 0, y2: H }));
    // Skip a label that would touch the previous one (meridians are closer together than parallels here).
    if (x(lon) - lastLabel < 56) continue;
    lastLabel = x(lon);
    grid.append(svg('text', { x: x(lon) + 3, y: H - 4 }, `${lon.toFixed(digits)}°`));
  }
  root.append(grid);

  const r = devices.length > 2000 ? 2 : devices.length > 300 ? 3.5 : 6;
  const markers = svg('g', { class: 'markers' });
  const ordered = [...placed].sort((a, b) => DRAW_ORDER.indexOf(a.state) - DRAW_ORDER.indexOf(b.state));
  for (const d of ordered) {
    markers.append(
      svg(
        'circle',
        { class: `marker state-${d.state}`, cx: x(d.lon).toFixed(1), cy: y(d.lat).toFixed(1), r, 'data-device': d.deviceId, 'data-state': d.state, tabindex: devices.length <= 300 ? 0 : undefined },
        svg('title', {}, `${d.deviceId} — ${d.state}${d.lastAt ? `, last verdict ${d.lastAt}` : ''}`),
      ),
    );
  }
  root.append(markers);
  if (placed.length <= 30) {
    // A small fleet: name each node (the id's first digits) next to its marker.
    const labels = svg('g', { class: 'marker-labels' });
    for (const d of placed) labels.append(svg('text', { x: (x(d.lon) + r + 3).toFixed(1), y: (y(d.lat) + 4).toFixed(1) }, d.deviceId.slice(0, 6)));
    root.append(labels);
  }
  const open = (event: Event) => {
    const id = (event.target as Element).getAttribute?.('data-device');
    if (id) location.hash = `#/device/${id}`;
  };
  root.addEventListener('click', open);
  root.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') open(event);
  });
  return root;
}
