/**
 * The test page: sets the backend named in `?backend=`, runs every case and leaves the results in
 * `window.__aaBrowserTests` for Node to read.
 */
import * as tf from '@tensorflow/tfjs';

import { ALL_CASES } from '../cases';
import { runCases, type CaseResult } from '../harness';
import { TOLERANCES } from '../tolerances';

/** What the page reports. */
export interface PageReport {
  /** The backend asked for and the one tfjs runs on. */
  requested: string;
  backend: string;
  /** WebGL facts worth reporting (renderer, float32 textures), when on webgl. */
  webgl?: { version: number; renderer: string; float32: boolean };
  results: CaseResult[];
  error?: string;
}

declare global {
  interface Window {
    __aaBrowserTests?: PageReport;
  }
}

function webglInfo(): PageReport['webgl'] {
  const gl = document.createElement('canvas').getContext('webgl2');
  const debug = gl?.getExtension('WEBGL_debug_renderer_info');
  return {
    version: tf.env().getNumber('WEBGL_VERSION'),
    renderer: gl && debug ? String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : 'unknown',
    float32: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'),
  };
}

async function main(): Promise<PageReport> {
  const params = new URLSearchParams(location.search);
  const requested = params.get('backend') ?? 'cpu';
  // `?grep=text` runs only the cases whose name holds it (for debugging one case).
  const grep = params.get('grep');
  const tol = TOLERANCES[requested];
  if (!tol) return { requested, backend: tf.getBackend(), results: [], error: `no tolerances for backend '${requested}'` };
  const ok = await tf.setBackend(requested);
  await tf.ready();
  if (!ok || tf.getBackend() !== requested) return { requested, backend: tf.getBackend(), results: [], error: `tf.setBackend('${requested}') failed: running on '${tf.getBackend()}'` };
  const webgl = requested === 'webgl' ? webglInfo() : undefined;
  const results = await runCases(grep === null ? ALL_CASES : ALL_CASES.filter((c) => c.name.includes(grep)), { backend: requested, tol });
  return { requested, backend: tf.getBackend(), webgl, results };
}

main()
  .catch((err: unknown): PageReport => ({ requested: '?', backend: tf.getBackend(), results: [], error: err instanceof Error ? err.stack ?? err.message : String(err) }))
  .then((report) => {
    window.__aaBrowserTests = report;
    document.body.textContent = `${report.results.filter((r) => r.ok).length}/${report.results.length} passed on ${report.backend}`;
  });
