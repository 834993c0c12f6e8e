#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command, Option } from 'commander';

import { BACKEND_CHOICES, describeBackend, selectBackend, type BackendInfo } from './backend';
import {
  backendChoice,
  defaultOutDir,
  exerciseList,
  nonNegativeInt,
  positiveInt,
  PRESET_NAMES,
  presetChoice,
  resolveTrainSettings,
  tolerancePoints,
  validateAliasing,
  type AliasingCliOptions,
  type GlobalOptions,
  type PresetName,
  type TrainCliOptions,
} from './config';
import { resolveCifar10, type DataRequest } from './data';
import { choosePreset, estimateSeconds, formatDuration, measureThroughput, ONEDNN_REFERENCE } from './estimate';
import { PRESETS } from './config';
import { compareWithReference, fidelityPassed, formatFidelity, readReference } from './fidelity';
import { readResults, TRAINING_KEYS, type Results, type TrainingKey } from './report/results';
import { runAliasingStep, startResults, writeReport, type Log } from './runner';
import { prepareData, runTrainingExperiments } from './trainingRunner';

const log: Log = (line) => process.stderr.write(`${line}\n`);

const program = new Command('aa-bench')
  .description("Reproduces the experiments of chapter 14 of Inside Deep Learning with the @aa packages and writes a report.")
  .addOption(new Option('--out <dir>', 'output folder (default: results/<timestamp>)'))
  .addOption(new Option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`).default('auto').argParser(backendChoice))
  .showHelpAfterError();

function globals(): GlobalOptions {
  const opts = program.opts<{ out?: string; backend: GlobalOptions['backend'] }>();
  return { out: resolve(opts.out ?? defaultOutDir()), backend: opts.backend };
}

program
  .command('aliasing')
  .description("the zebra demonstration: shrink an image with max pooling and with anti-aliased pooling, and measure the aliasing")
  .option('--image <file>', 'a PNG or JPEG to use instead of the generated zone plate')
  .option('--factor <n>', 'shrink factor', positiveInt('--factor'), 4)
  .option('--size <n>', 'side of the square image (the chapter uses 1000)', positiveInt('--size'), 1000)
  .action(async (options: AliasingCliOptions) => {
    validateAliasing(options);
    const { out, backend } = globals();
    const info = await selectBackend(backend);
    describeBackend(info).forEach((line) => log(line));
    const results = startResults({ experiment: 'aliasing', ...options }, info);
    runAliasingStep(out, options, results, log);
    results.finishedAt = new Date().toISOString();
    writeReport(out, results);
    log(`report: ${resolve(out, 'report.html')}`);
  });

/** Options of the training subcommands, before the preset is resolved. */
type TrainCommandOptions = Omit<TrainCliOptions, 'preset'> & { preset: PresetName | 'auto' };

function addTrainingOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--preset <name>', `sizes: ${PRESET_NAMES.join(', ')}, or auto (the largest that fits about 15 minutes on this backend)`).default('auto'))
    .option('--epochs <n>', 'epochs (overrides the preset)', positiveInt('--epochs'))
    .option('--train-size <n>', 'training images (overrides the preset)', positiveInt('--train-size'))
    .option('--test-size <n>', 'test images (overrides the preset)', positiveInt('--test-size'))
    .option('--batch-size <n>', 'batch size (overrides the preset)', positiveInt('--batch-size'))
    .option('--seed <n>', 'seed of the subsets, shuffling, crops and MixUp', nonNegativeInt('--seed'), 0)
    .option('--data-dir <dir>', 'an extracted CIFAR-10 binary folder (cifar-10-batches-bin or its parent)')
    .option('--archive <file>', 'a local cifar-10-binary.tar.gz')
    .option('--sample', 'train on the 1,000/500-image CIFAR-10 sample shipped with @aa/cifar-data')
    .option('--cache-dir <dir>', 'download cache of @aa/cifar-data (default ~/.cache/aa-cifar-data)')
    .addOption(new Option('--data-url <url>', 'CIFAR-10 download address').hideHelp())
    .option('--resume', 'continue an interrupted run in --out from its last finished epochs')
    .option('--image-id <n>', 'test image of the shift figures', nonNegativeInt('--image-id'), 213);
}

function checkPreset(value: string): PresetName | 'auto' {
  return value === 'auto' ? 'auto' : presetChoice(value);
}

async function runTraining(keys: readonly TrainingKey[], given: TrainCommandOptions, withAliasing: boolean): Promise<void> {
  let options = given;
  const preset = checkPreset(options.preset);
  // Validates the overrides before any slow work (with a stand-in preset when it is still to be chosen).
  resolveTrainSettings({ ...options, preset: preset === 'auto' ? 'smoke' : preset });
  const { out, backend } = globals();
  const info: BackendInfo = await selectBackend(backend);
  describeBackend(info).forEach((line) => log(line));
  const request: DataRequest = { dataDir: options.dataDir, archive: options.archive, sample: options.sample, cacheDir: options.cacheDir, url: options.dataUrl };
  const cifar10 = await resolveCifar10(request, log);
  let chosen: PresetName = preset === 'auto' ? 'smoke' : preset;
  const available = { train: cifar10.train.count, test: cifar10.test.count };
  if (preset === 'auto' || info.name === 'cpu') {
    log('measuring training speed on the first steps ...');
    const t = measureThroughput(info.name);
    log(`throughput on ${info.name}: ${t.cnn.toFixed(1)} img/s (small CNN), ${t.resnet.toFixed(2)} img/s (28-block ResNet${t.resnetExtrapolated ? ', extrapolated' : ''})`);
    if (preset === 'auto' && cifar10.sample) {
      // On the sample: all of its images, as many epochs (up to quick's 5) as fit a few minutes.
      chosen = 'quick';
      if (options.epochs === undefined) {
        const size = { trainSize: available.train, testSize: available.test };
        const fixed = estimateSeconds(t, keys, { ...size, epochs: 0 });
        const perEpoch = estimateSeconds(t, keys, { ...size, epochs: 1 }) - fixed;
        options = { ...options, epochs: Math.max(1, Math.min(PRESETS.quick.epochs, Math.floor((5 * 60 - fixed) / perEpoch))) };
      }
      log(`preset: quick on the sample (all ${available.train}/${available.test} images), ${options.epochs} epochs to finish in a few minutes here`);
    } else if (preset === 'auto') {
      const budget = 15 * 60;
      const pick = choosePreset(t, keys, budget, available);
      chosen = pick.preset;
      log(`preset: ${chosen} (the largest estimated to finish within ${formatDuration(budget)} here: about ${formatDuration(pick.seconds)})`);
    }
    const p = { ...PRESETS[chosen], ...stripUndefined({ epochs: options.epochs, trainSize: options.trainSize, testSize: options.testSize }) };
    const size = { epochs: p.epochs, trainSize: Math.min(p.trainSize, available.train), testSize: Math.min(p.testSize, available.test) };
    log(`estimated time: ${formatDuration(estimateSeconds(t, keys, size))} on ${info.name}`);
    if (info.name === 'cpu') {
      log(
        `with @aa/backend-onednn (apt-get install libdnnl-dev, then pnpm install) this would take about ${formatDuration(estimateSeconds(ONEDNN_REFERENCE, keys, size))}; ` +
          `the chapter preset about ${formatDuration(estimateSeconds(ONEDNN_REFERENCE, keys, { ...PRESETS.chapter }))} there, ${formatDuration(estimateSeconds(t, keys, { ...PRESETS.chapter }))} on cpu`,
      );
    }
  }
  const settings = resolveTrainSettings({ ...options, preset: chosen });
  const results: Results = startResults({ experiments: [...(withAliasing ? ['aliasing'] : []), ...keys], ...settings, preset: chosen, requestedPreset: preset }, info);
  const save = () => writeReport(out, results);
  if (withAliasing) {
    runAliasingStep(out, { factor: 4, size: 1000 }, results, log);
    save();
  }
  const data = prepareData(cifar10, request, settings, results, log);
  await runTrainingExperiments(out, keys, settings, data, results, log, save);
  results.finishedAt = new Date().toISOString();
  save();
  log(`report: ${resolve(out, 'report.html')}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const TRAINING_COMMANDS: { name: string; keys: TrainingKey[]; description: string }[] = [
  { name: 'shift', keys: ['shift'], description: 'plain vs anti-aliased CNN on random 24x24 crops; shift figures and exercise 1' },
  { name: 'residual', keys: ['residual'], description: 'plain CNN vs ResNet vs ReZero ResNet (28 blocks)' },
  { name: 'mixup', keys: ['mixup'], description: 'Beta(a, a) densities; ReZero ResNet trained with MixUp (alpha 0.25)' },
  { name: 'exercises', keys: ['exercise2', 'exercise3', 'exercise4', 'exercise5', 'exercise6'], description: 'exercises 2 to 6' },
];

for (const c of TRAINING_COMMANDS) {
  const cmd = addTrainingOptions(program.command(c.name).description(c.description));
  if (c.name === 'exercises') {
    cmd
      .option('--only <list>', 'run only these exercises, e.g. 4,5 (default: 2,3,4,5,6)', exerciseList)
      .action((options: TrainCommandOptions & { only?: TrainingKey[] }) => runTraining(options.only ?? c.keys, options, false));
  } else {
    cmd.action((options: TrainCommandOptions) => runTraining(c.keys, options, false));
  }
}
addTrainingOptions(program.command('all', { isDefault: true }).description('every experiment in order: aliasing, shift, residual, mixup, exercises')).action(
  (options: TrainCommandOptions) => runTraining(TRAINING_KEYS, options, true),
);

program
  .command('report')
  .description('rebuild report.md and report.html of a finished run from its results.json')
  .argument('<dir>', 'the run folder')
  .action((dir: string) => {
    writeReport(resolve(dir), readResults(resolve(dir)));
    log(`report: ${resolve(dir, 'report.html')}`);
  });

program
  .command('compare')
  .description("compare runs' final test accuracies and shift figures with the chapter's PyTorch code (chapter14_reference.py output files)")
  .argument('<dirs...>', 'run folders (a model found in several: the last folder wins)')
  .requiredOption('--reference <files...>', 'JSON files written by chapter14_reference.py (normal, aa, resnet, rezero, rezero_mixup)')
  .option('--tolerance <points>', 'allowed difference in percentage points', tolerancePoints, 2)
  .option('--md <file>', 'also write the table to this Markdown file')
  .action((dirs: string[], options: { reference: string[]; tolerance: number; md?: string }) => {
    const report = compareWithReference(
      dirs.map((d) => readResults(resolve(d))),
      options.reference.map((f) => readReference(resolve(f))),
      options.tolerance,
    );
    const text = formatFidelity(report);
    process.stdout.write(text);
    if (options.md) writeFileSync(resolve(options.md), text);
    if (!fidelityPassed(report)) {
      log('compare: not every model was compared and within the tolerance, or anti-aliasing did not lower the shift std (see the table).');
      process.exitCode = 1;
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  log(`aa-bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
