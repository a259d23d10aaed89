// The dashboard's entry: a hash router (#/ overview, #/device/<id>) and a poll every few seconds. The page says in
// its header when it last refreshed, or what failed; a failed poll keeps the last data on screen.
import { devicePage } from './device-page.js';
import { fill } from './dom.js';
import { time } from './format.js';
import { overviewPage, type Page } from './overview.js';

const POLL_MS = 5000;
const app = document.getElementById('app')!;
const status = document.getElementById('status')!;
let page: Page | undefined;
let timer: number | undefined;
let generation = 0;

async function refresh(gen: number): Promise<void> {
  if (!page) return;
  try {
    await page.refresh();
    if (gen !== generation) return;
    status.textContent = `updated ${time(Date.now())}`;
    status.className = 'status ok';
    document.body.dataset.loaded = 'true';
  } catch (error) {
    if (gen !== generation) return;
    status.textContent = `update failed: ${(error as Error).message}`;
    status.className = 'status error';
  } finally {
    if (gen === generation) timer = window.setTimeout(() => void refresh(gen), POLL_MS);
  }
}

function route(): void {
  generation++;
  window.clearTimeout(timer);
  page?.destroy();
  delete document.body.dataset.loaded;
  fill(app);
  const device = /^#\/device\/([0-9a-f]{16})$/.exec(location.hash);
  page = device ? devicePage(app, device[1]!) : overviewPage(app);
  document.body.dataset.page = device ? 'device' : 'overview';
  void refresh(generation);
}

window.addEventListener('hashchange', route);
route();
