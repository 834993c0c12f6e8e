/**
 * Training throughput (images/s, batch 128, 24x24x3, Adam, softmax cross-entropy, BatchNorm in
 * training mode) of the chapter's models on the pure-JS `cpu` backend and on `onednn`, beside
 * PyTorch's figures on the same machine (`bench/torch-throughput.json`, or measured now with TORCH=1).
 * Prints figures; asserts nothing.
 *
 * Environment:
 *   MODELS=normal,aa,...   models to run (default: normal, aa, resnet, rezero, rezero_mixup)
 *   CPU=0                  skip the cpu backend (a ResNet step there takes many minutes); the
 *                          MixUp variant is only run there with CPU_ALL=1 (it costs what rezero costs)
 *   CPU_RESNET_BATCH=8     batch for the ResNets on cpu (default 8; images/s is what is compared)
 *   TORCH=1                re-run PyTorch's throughput script (TORCH_SCRIPT=path/to/torch_throughput.py,
 *                          the chapter's reference code, which this project does not ship) for each model (with all
 *                          threads and with 1), right after measuring it, and save the figures to
 *                          bench/torch-throughput.json
 *   MEMORY=0               skip the 200-step memory check
 *   RSS=0                  skip the peak resident memory of each model's training (bench/peak-rss.ts in a
 *                          process of its own, and with TORCH=1 PyTorch's in one of its own: ru_maxrss of both)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { kernelStats, onednnVersion, registerOneDnnBackend, resetKernelStats, threadCount, unavailableReason } from '../src/index';
import { buildModel, makeStep, type ModelName } from './models';

const BATCH = 128;
const ALL: ModelName[] = ['normal', 'aa', 'resnet', 'rezero', 'rezero_mixup'];
const packageDir = path.resolve(__dirname, '..');
const torchFile = path.join(packageDir, 'bench', 'torch-throughput.json');
// The PyTorch reference lives outside the project; the bench only runs it when pointed at it.
const torchScript = process.env.TORCH_SCRIPT;

interface TorchRecord {
  model: string;
  torch: string;
  threads: number;
  ms_per_batch: number;
  img_per_s: number;
}

interface Row {
  model: ModelName;
  cpu?: { imgPerS: number; batch: number; steps: number };
  onednn?: number;
  onednn1?: number;
  torch?: number;
  torch1?: number;
  rss?: number;
  torchRss?: number;
}

function loadavg(): string {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

/** Images/s of `steps` training steps after `warmup` unmeasured ones, on the current backend. */
function measure(name: ModelName, batch: number, warmup: number, steps: number): number {
  const model = buildModel(name);
  const { step, dispose } = makeStep(model, batch, name === 'rezero_mixup');
  for (let i = 0; i < warmup; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  dispose();
  model.dispose();
  return (batch * steps) / seconds;
}

function runTorch(name: ModelName, threads: number): TorchRecord | undefined {
  if (torchScript === undefined) {
    console.log('  TORCH=1 needs TORCH_SCRIPT=path/to/torch_throughput.py (the chapter\'s PyTorch reference); showing the saved figures instead');
    return undefined;
  }
  const res = spawnSync('/usr/bin/python3', [torchScript, name], { encoding: 'utf8', env: { ...process.env, THREADS: String(threads) } });
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith('{"model"'));
  if (res.status !== 0 || line === undefined) {
    console.log(`  PyTorch run failed for ${name}: ${(res.stderr ?? '').trim().split('\n').pop() ?? res.status}`);
    return undefined;
  }
  return JSON.parse(line) as TorchRecord;
}

/** Peak RSS (MiB) of training `name` on onednn in a fresh process (bench/peak-rss.ts). */
function onednnPeakRss(name: ModelName): number | undefined {
  const script = path.join(packageDir, 'bench', 'peak-rss.ts');
  // process.execArgv carries tsx's loader, so the child runs TypeScript the way this bench does.
  const res = spawnSync(process.execPath, [...process.execArgv, script, name], { encoding: 'utf8' });
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith('{"model"'));
  if (res.status !== 0 || line === undefined) {
    console.log(`  peak RSS run failed for ${name}: ${(res.stderr ?? '').trim().split('\n').pop() ?? res.status}`);
    return undefined;
  }
  return (JSON.parse(line) as { maxRssMiB: number }).maxRssMiB;
}

/** Peak RSS (MiB) of PyTorch's throughput run of `name` (the same script, its process's ru_maxrss). */
function torchPeakRss(name: ModelName, threads: number): number | undefined {
  if (torchScript === undefined) return undefined;
  const code = [
    'import json, resource, runpy, sys',
    'script, model = sys.argv[1], sys.argv[2]',
    'sys.argv = [script, model]',
    "runpy.run_path(script, run_name='__main__')",
    "print(json.dumps({'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))",
  ].join('\n');
  const res = spawnSync('/usr/bin/python3', ['-c', code, torchScript, name], { encoding: 'utf8', env: { ...process.env, THREADS: String(threads) } });
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith('{"maxrss_kib"'));
  if (res.status !== 0 || line === undefined) {
    console.log(`  PyTorch peak RSS run failed for ${name}: ${(res.stderr ?? '').trim().split('\n').pop() ?? res.status}`);
    return undefined;
  }
  return (JSON.parse(line) as { maxrss_kib: number }).maxrss_kib / 1024;
}

function fmt(v: number | undefined, digits = 1): string {
  return v === undefined ? '—' : v.toFixed(digits);
}

/** 200 steps of the plain CNN on onednn: resident memory and tensor count at steps 20 and 200. */
function memoryCheck(): void {
  const model = buildModel('normal');
  const { step, dispose } = makeStep(model, BATCH, false);
  const sample = () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heap: m.heapUsed, buffers: m.arrayBuffers, tensors: tf.memory().numTensors, bytes: tf.memory().numBytes };
  };
  for (let i = 0; i < 20; i++) step();
  const at20 = sample();
  for (let i = 20; i < 200; i++) step();
  const at200 = sample();
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  // rss also moves with the JS heap, which V8 lets grow between full collections.
  console.log(
    `memory, plain CNN on onednn, steps 20 -> 200: rss ${mb(at20.rss)} -> ${mb(at200.rss)} MiB ` +
      `(JS heap ${mb(at20.heap)} -> ${mb(at200.heap)}, array buffers ${mb(at20.buffers)} -> ${mb(at200.buffers)}), ` +
      `tf.memory() tensors ${at20.tensors} -> ${at200.tensors}, bytes ${mb(at20.bytes)} -> ${mb(at200.bytes)} MiB`,
  );
  dispose();
  model.dispose();
}

async function main(): Promise<void> {
  const models = (process.env.MODELS?.split(',') as ModelName[] | undefined) ?? ALL;
  const withCpu = process.env.CPU !== '0';
  const withTorch = process.env.TORCH === '1';
  const resnetCpuBatch = Number(process.env.CPU_RESNET_BATCH ?? 8);
  const saved = fs.existsSync(torchFile) ? (JSON.parse(fs.readFileSync(torchFile, 'utf8')) as { date: string; results: TorchRecord[] }) : undefined;

  const available = registerOneDnnBackend();
  console.log(`tfjs ${tf.version.tfjs}, node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${new Date().toISOString()}`);
  console.log(
    available
      ? `onednn: oneDNN ${onednnVersion()}, ${threadCount()} OpenMP threads`
      : `onednn: unavailable (${unavailableReason()})`,
  );
  console.log(`load average at start: ${loadavg()}`);
  const rows: Row[] = models.map((model) => ({ model }));
  const fresh: TorchRecord[] = [];

  for (const row of rows) {
    const resnet = row.model !== 'normal' && row.model !== 'aa';
    if (available) {
      await tf.setBackend('onednn');
      resetKernelStats();
      const defaultThreads = threadCount();
      row.onednn = measure(row.model, BATCH, resnet ? 2 : 3, resnet ? 4 : 10);
      const fallbacks = Object.entries(kernelStats()).filter(([, s]) => s.fallback + s.errors > 0);
      registerOneDnnBackend({ threads: 1 });
      row.onednn1 = measure(row.model, BATCH, resnet ? 1 : 3, resnet ? 3 : 10);
      registerOneDnnBackend({ threads: defaultThreads });
      console.log(
        `${row.model}: onednn ${fmt(row.onednn)} img/s (${defaultThreads} threads), ${fmt(row.onednn1)} img/s (1 thread)` +
          (fallbacks.length ? `; cpu fallbacks: ${fallbacks.map(([k, s]) => `${k} x${s.fallback}`).join(', ')}` : '; no cpu fallback'),
      );
    }
    const cores = os.cpus().length;
    if (withTorch) {
      for (const threads of cores > 1 ? [cores, 1] : [1]) {
        const rec = runTorch(row.model, threads);
        if (!rec) continue;
        fresh.push(rec);
        if (threads === 1 && cores > 1) row.torch1 = rec.img_per_s;
        else row.torch = rec.img_per_s;
        console.log(`${row.model}: PyTorch ${rec.torch} ${fmt(rec.img_per_s)} img/s (${rec.threads} threads, measured now)`);
      }
    } else {
      const mine = saved?.results.filter((r) => r.model === row.model) ?? [];
      row.torch = mine.find((r) => r.threads === cores)?.img_per_s;
      row.torch1 = cores > 1 ? mine.find((r) => r.threads === 1)?.img_per_s : undefined;
    }
    if (available && process.env.RSS !== '0') {
      row.rss = onednnPeakRss(row.model);
      if (withTorch) row.torchRss = torchPeakRss(row.model, os.cpus().length);
      console.log(`${row.model}: peak RSS onednn ${fmt(row.rss)} MiB${withTorch ? `, PyTorch ${fmt(row.torchRss)} MiB` : ''}`);
    }
    if (withCpu && (row.model !== 'rezero_mixup' || process.env.CPU_ALL === '1')) {
      await tf.setBackend('cpu');
      const batch = resnet ? resnetCpuBatch : BATCH;
      // One step, as the cpu backend takes about a minute per step even for the plain CNN.
      row.cpu = { imgPerS: measure(row.model, batch, 0, 1), batch, steps: 1 };
      console.log(`${row.model}: cpu ${fmt(row.cpu.imgPerS, 2)} img/s (1 step, batch ${batch})`);
    }
  }
  console.log(`load average at end: ${loadavg()}`);

  if (withTorch && fresh.length > 0) {
    const record = {
      date: new Date().toISOString(),
      command: 'TORCH=1 pnpm --filter @aa/backend-onednn bench (each model measured right after its tfjs runs)',
      threads: os.cpus().length,
      loadavg_end: os.loadavg(),
      results: fresh,
    };
    fs.writeFileSync(torchFile, `${JSON.stringify(record, null, 2)}\n`);
  }

  console.log('');
  console.log(`PyTorch figures: ${withTorch ? 'measured in this run' : saved ? `bench/torch-throughput.json (${saved.date})` : 'none'}`);
  const cores = os.cpus().length;
  const best = (...v: Array<number | undefined>) => {
    const d = v.filter((x): x is number => x !== undefined);
    return d.length ? Math.max(...d) : undefined;
  };
  console.log(`| model | cpu img/s | onednn img/s (${cores} thr) | onednn (1 thr) | PyTorch img/s (${cores} thr) | PyTorch (1 thr) | onednn / PyTorch, default threads | best / best | onednn / cpu |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? (a / b).toFixed(2) : '—');
    const speedup = r.onednn !== undefined && r.cpu !== undefined ? `${(r.onednn / r.cpu.imgPerS).toFixed(0)}x` : '—';
    const cpu = r.cpu ? `${fmt(r.cpu.imgPerS, 2)}${r.cpu.batch !== BATCH ? ` (batch ${r.cpu.batch})` : ''}` : '—';
    console.log(
      `| ${r.model} | ${cpu} | ${fmt(r.onednn)} | ${fmt(r.onednn1)} | ${fmt(r.torch)} | ${fmt(r.torch1)} | ${ratio(r.onednn, r.torch)} | ` +
        `${ratio(best(r.onednn, r.onednn1), best(r.torch, r.torch1))} | ${speedup} |`,
    );
  }

  if (rows.some((r) => r.rss !== undefined)) {
    console.log('');
    console.log('| model | peak RSS onednn (MiB) | peak RSS PyTorch (MiB) | onednn / PyTorch |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const r of rows) {
      const ratio = r.rss !== undefined && r.torchRss !== undefined ? (r.rss / r.torchRss).toFixed(2) : '—';
      console.log(`| ${r.model} | ${fmt(r.rss, 0)} | ${fmt(r.torchRss, 0)} | ${ratio} |`);
    }
  }

  if (available && process.env.MEMORY !== '0') {
    console.log('');
    await tf.setBackend('onednn');
    memoryCheck();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
