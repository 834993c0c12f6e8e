import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import os from 'node:os';

import * as tf from '@tensorflow/tfjs';

import type { BackendInfo } from './backend';
import { runAliasing } from './experiments/aliasing';
import { resizeAndCenterCrop, zonePlate } from './experiments/images';
import type { AliasingCliOptions } from './config';
import { buildDocument } from './report/document';
import { renderHtml } from './report/html';
import { renderMarkdown } from './report/markdown';
import { decodeImageFile, encodePng } from './report/png';
import { writeCsv, writeResults, type Results } from './report/results';

/** Where progress lines go; the CLI passes stderr, tests collect them. */
export type Log = (line: string) => void;

/** A new results record for a run in `out`. */
export function startResults(config: Record<string, unknown>, backend: BackendInfo): Results {
  return {
    tool: 'aa-bench',
    startedAt: new Date().toISOString(),
    config,
    environment: {
      node: process.version,
      tfjs: tf.version.tfjs,
      backend: backend.name,
      backendProvider: backend.provider,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
    },
    experiments: {},
  };
}

/** Runs the aliasing experiment and writes its images and CSV into `out`; records it in `results`. */
export function runAliasingStep(out: string, options: AliasingCliOptions, results: Results, log: Log): void {
  const started = performance.now();
  const source = options.image ? basename(options.image) : 'zone plate';
  log(`aliasing: ${source}, ${options.size}x${options.size}, shrink ${options.factor}x`);
  const image = options.image ? resizeAndCenterCrop(decodeImageFile(options.image), options.size) : zonePlate(options.size);
  const result = runAliasing({ image, source, factor: options.factor });
  mkdirSync(out, { recursive: true });
  const files = { original: 'aliasing-original.png', maxPool: 'aliasing-maxpool.png', antiAliased: 'aliasing-antialiased.png' };
  for (const key of Object.keys(files) as (keyof typeof files)[]) writeFileSync(join(out, files[key]), encodePng(result.images[key]));
  writeCsv(join(out, 'aliasing.csv'), ['method', 'aliasing_error'], [
    ['max_pool', result.error.maxPool],
    ['anti_aliased', result.error.antiAliased],
  ]);
  results.experiments.aliasing = {
    source: result.source,
    size: result.size,
    factor: result.factor,
    blurKernelSize: result.blurKernelSize,
    error: result.error,
    reduction: result.reduction,
    images: files,
    seconds: (performance.now() - started) / 1000,
  };
  log(
    `aliasing: error ${result.error.maxPool.toFixed(4)} with max pooling, ${result.error.antiAliased.toFixed(4)} anti-aliased ` +
      `(${(result.reduction * 100).toFixed(0)}% lower)`,
  );
}

/** Writes `results.json`, `report.md` and `report.html` into `out`. */
export function writeReport(out: string, results: Results): void {
  writeResults(out, results);
  const doc = buildDocument(results);
  writeFileSync(join(out, 'report.md'), renderMarkdown(doc));
  writeFileSync(join(out, 'report.html'), renderHtml(doc, out));
}
