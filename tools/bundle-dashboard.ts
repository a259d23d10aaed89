// Bundles the verifier's dashboard (src/dashboard) for the browser: dist/dashboard/app.js and app.css (uPlot and
// its stylesheet included) next to a copy of index.html. The verifier serves that directory
// (src/verifier/http/dashboard-routes.ts), so the page loads nothing from elsewhere: no CDN, no web fonts.
// Part of `npm run build` (after tsc has type-checked src/dashboard with its own tsconfig).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** Repository root (this file runs as dist/tools/bundle-dashboard.js). */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DASHBOARD_SOURCE = join(REPO_ROOT, 'src/dashboard');
export const DASHBOARD_OUTPUT = join(REPO_ROOT, 'dist/dashboard');

export async function bundleDashboard(outdir = DASHBOARD_OUTPUT): Promise<void> {
  mkdirSync(outdir, { recursive: true });
  const common = { bundle: true, minify: true, legalComments: 'linked', logLevel: 'warning', absWorkingDir: REPO_ROOT } as const;
  await esbuild.build({ ...common, entryPoints: [join(DASHBOARD_SOURCE, 'main.ts')], outfile: join(outdir, 'app.js'), format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true });
  await esbuild.build({ ...common, entryPoints: [join(DASHBOARD_SOURCE, 'style.css')], outfile: join(outdir, 'app.css') });
  copyFileSync(join(DASHBOARD_SOURCE, 'index.html'), join(outdir, 'index.html'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundleDashboard();
}
