#!/usr/bin/env node
// Copies the chapter's two CNNs from an aa-bench run into this package and writes each one's metadata.json from the
// run's results.json. Usage:
//   node scripts/import-bench-models.mjs <bench-out-dir> [--to <models-dir>] [--command "<the aa-bench command>"]
// <bench-out-dir> is the --out folder of `aa-bench shift` (results.json and models/shift-<key>-seed<k>/ in it);
// its shift-accuracy.svg and shift-probability.svg go to figures/ beside <models-dir>.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODELS = {
  plain: { pooling: 'max', layer: 'MaxPooling2D' },
  aa: { pooling: 'maxblur', layer: 'MaxBlurPool2D' },
};
const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const CHAPTER = { trainImages: 50_000, epochs: 30 };

function die(message) {
  console.error(`import-bench-models: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { from: undefined, to: join(dirname(fileURLToPath(import.meta.url)), '..', 'models'), command: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--to' || a === '--command') {
      if (argv[i + 1] === undefined) die(`${a} needs a value.`);
      args[a.slice(2)] = argv[++i];
    } else if (a.startsWith('--')) die(`unknown option ${a}; the options are --to <models-dir> and --command "<aa-bench command>".`);
    else if (args.from === undefined) args.from = a;
    else die(`one bench output folder only, got also ${a}.`);
  }
  if (args.from === undefined) die('usage: node scripts/import-bench-models.mjs <bench-out-dir> [--to <models-dir>] [--command "<aa-bench command>"]');
  return args;
}

function readJson(file) {
  if (!existsSync(file)) die(`${file} is missing: is this the --out folder of an aa-bench run?`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    die(`${file} is not valid JSON: ${err.message}`);
  }
}

/** The aa-bench command that gives these settings (results.json keeps the settings, not the argv). */
function benchCommand(results, out) {
  const s = results.settings ?? {};
  const parts = ['node apps/bench/dist/cli.js', '--out', basename(out), 'shift'];
  if (results.data?.embedded) parts.push('--subset');
  if (s.preset && s.preset !== 'auto') parts.push('--preset', s.preset);
  else parts.push('--train-size', String(s.trainSize), '--test-size', String(s.testSize), '--epochs', String(s.plans?.shift?.epochs));
  if (s.batchSize !== undefined && s.batchSize !== 128) parts.push('--batch-size', String(s.batchSize));
  if (s.seed) parts.push('--seed', String(s.seed));
  if (results.environment?.backend) parts.push('--backend', results.environment.backend);
  return parts.join(' ');
}

function metadataFor(key, model, run, results, command) {
  const s = results.settings ?? {};
  const epochs = results.experiments.shift.plan?.epochs ?? s.plans?.shift?.epochs;
  const embedded = Boolean(results.data?.embedded);
  const trainImages = results.data?.trainSize ?? s.trainSize;
  const chapter = !embedded && trainImages >= CHAPTER.trainImages && epochs >= CHAPTER.epochs;
  const m = run.shift?.metrics;
  if (!m) die(`results.json has no shift metrics for '${key}' (experiments.shift.models[${key}].runs[0].shift.metrics).`);
  const env = results.environment ?? {};
  return {
    format: 'aa-chapter-model',
    version: 1,
    key,
    label: model.label,
    architecture: {
      builder: `chapterCnn({ pooling: '${MODELS[key].pooling}' }) of @aa/blur`,
      pooling: MODELS[key].pooling,
      parameters: run.params,
      inputShape: [24, 24, 3],
      classNames: CLASS_NAMES,
    },
    training: {
      command,
      protocol: chapter ? 'chapter' : 'reduced',
      data: results.data?.source ?? 'unknown',
      trainImages,
      testImages: results.data?.testSize ?? s.testSize,
      epochs,
      batchSize: s.batchSize,
      seed: run.seed,
      backend: `${env.backend ?? 'unknown'}, tfjs ${env.tfjs ?? 'unknown'}`,
      finishedAt: results.finishedAt,
    },
    results: {
      testAccuracy: run.finalAccuracy,
      shift: { medianStd: m.medianStd, agreement: m.agreement, accuracyAllShifts: m.accuracyAllShifts, images: m.images },
    },
    ...(chapter
      ? {}
      : {
          note:
            `Not the chapter's protocol (${trainImages.toLocaleString('en-US')} training images × ${epochs} epochs${embedded ? ', embedded subset' : ''}; ` +
            'the chapter trains on 50,000 × 30 epochs): a stand-in until models trained at the chapter\'s protocol are imported.',
        }),
  };
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const args = parseArgs(process.argv.slice(2));
const out = resolve(args.from);
const results = readJson(join(out, 'results.json'));
const shift = results.experiments?.shift;
if (!shift) die(`${join(out, 'results.json')} has no shift experiment: run \`aa-bench --out <dir> shift ...\` (or \`all\`).`);
if (results.finishedAt === undefined) die(`${join(out, 'results.json')} has no finishedAt: the run did not finish.`);
const command = args.command ?? benchCommand(results, out);

// Everything is checked before anything is copied, so a bad run never leaves half its models in place.
const planned = Object.keys(MODELS).map((key) => {
  const model = shift.models.find((m) => m.key === key);
  const run = model?.runs?.[0];
  if (!run) die(`results.json has no run of the '${key}' model (experiments.shift.models[].runs[0]).`);
  const from = join(out, 'models', `shift-${key}-seed${run.seed}`);
  for (const f of ['model.json', 'weights.bin']) if (!existsSync(join(from, f))) die(`${join(from, f)} is missing: the bench saves small models' final weights there.`);
  const topology = readJson(join(from, 'model.json'));
  const layers = topology.modelTopology?.config?.layers?.map((l) => l.class_name) ?? [];
  if (!layers.includes(MODELS[key].layer)) die(`${join(from, 'model.json')} has no ${MODELS[key].layer} layer: not the '${key}' CNN.`);
  return { key, from, metadata: metadataFor(key, model, run, results, command) };
});

const summary = [];
for (const { key, from, metadata } of planned) {
  const to = join(args.to, key);
  mkdirSync(to, { recursive: true });
  for (const f of ['weights.bin', 'model.json']) {
    copyFileSync(join(from, f), join(to, `${f}.tmp`));
    renameSync(join(to, `${f}.tmp`), join(to, f));
  }
  writeAtomic(join(to, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  const kb = (statSync(join(to, 'weights.bin')).size + statSync(join(to, 'model.json')).size) / 1024;
  summary.push(`${key}: ${metadata.label}, test accuracy ${(metadata.results.testAccuracy * 100).toFixed(2)}%, median shift std ${metadata.results.shift.medianStd.toFixed(4)}, ${kb.toFixed(0)} KB -> ${to}`);
}
const protocol = planned[0].metadata.training.protocol;

// The run's shift figures, for the README (absent from runs made with an older bench: then nothing is copied).
const figures = join(args.to, '..', 'figures');
for (const f of ['shift-accuracy.svg', 'shift-probability.svg']) {
  if (!existsSync(join(out, f))) continue;
  mkdirSync(figures, { recursive: true });
  copyFileSync(join(out, f), join(figures, f));
  summary.push(`figure ${f} -> ${figures}`);
}
console.log(summary.join('\n'));
console.log(`protocol: ${protocol}; command: ${command}`);
