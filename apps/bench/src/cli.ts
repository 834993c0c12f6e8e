#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Command, Option } from 'commander';

import { BACKEND_CHOICES, describeBackend, selectBackend, type BackendInfo } from './backend';
import {
  backendChoice,
  budgetMinutes,
  checkTrainOptions,
  defaultOutDir,
  explicitSizes,
  fixedSizes,
  nonNegativeInt,
  positiveInt,
  PRESET_CHOICES,
  presetChoice,
  tolerancePoints,
  type TrainCliOptions,
} from './config';
import { resolveCifar10, type DataRequest } from './data';
import { formatDuration, measureThroughput, ONEDNN_REFERENCE, type Throughput } from './estimate';
import { CHAPTER_EXPERIMENTS, EXERCISES, EXPERIMENTS } from './experiments';
import type { Experiment } from './experiments/types';
import { compareWithReference, fidelityPassed, formatFidelity, readReferences } from './fidelity';
import { addWorkerCommand, checkQueue, earlierPlan, queueUrl, reportCommand } from './jobs/commands';
import { runOnQueue } from './jobs/submit';
import { fixedPlan, planToBudget, type RunPlan } from './plan';
import { streamSink } from './progress';
import { readResults } from './report/results';
import { runExperiments } from './runner';

const sink = streamSink(process.stderr);
const log = (line: string) => sink.line(line);

/** Sizes of an `auto` run: the embedded subset's, or as much of the full set (up to the chapter's). */
const AUTO_SIZES = { trainSize: 10_000, testSize: 2_500 };

const program = new Command('aa-bench')
  .description("Reproduces the experiments of chapter 14 of Inside Deep Learning with the @aa packages and writes a report.\nWith no command it runs the chapter's own experiments (`chapter`).")
  .addOption(new Option('--out <dir>', 'output folder (default: results/<timestamp>)'))
  .addOption(new Option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`).default('auto').argParser(backendChoice))
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  .showSuggestionAfterError();

function globals(): { out: string; backend: ReturnType<typeof backendChoice> } {
  const opts = program.opts<{ out?: string; backend: ReturnType<typeof backendChoice> }>();
  return { out: resolve(opts.out ?? defaultOutDir()), backend: opts.backend };
}

function addTrainingOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--preset <name>', `sizes: ${PRESET_CHOICES.join(', ')} (auto: the largest that fits --budget on this backend)`).default('auto').argParser(presetChoice))
    .option('--budget <minutes>', 'time budget of --preset auto', budgetMinutes, 15)
    .option('--epochs <n>', 'epochs of every model (default: the preset, or the chapter\'s 30 once any size is given)', positiveInt('--epochs'))
    .option('--seeds <n>', 'train every model this many times, with seeds --seed, --seed+1, ...', positiveInt('--seeds'))
    .option('--train-size <n>', 'training images (default: the preset)', positiveInt('--train-size'))
    .option('--test-size <n>', 'test images (default: the preset)', positiveInt('--test-size'))
    .option('--batch-size <n>', 'batch size (default: the chapter\'s 128)', positiveInt('--batch-size'))
    .option('--seed <n>', 'first seed: weights, subsets, shuffling, crops and MixUp all follow it', nonNegativeInt('--seed'), 0)
    .option('--data-dir <dir>', 'an extracted CIFAR-10 binary folder (cifar-10-batches-bin or its parent)')
    .option('--archive <file>', 'a local cifar-10-binary.tar.gz')
    .option('--subset', 'train on the CIFAR-10 subset embedded in the project (10,000 / 2,500 images) without looking for the full set')
    .option('--cache-dir <dir>', 'download cache of @aa/cifar-data (default ~/.cache/aa-cifar-data)')
    .addOption(new Option('--data-url <url>', 'CIFAR-10 download address').hideHelp())
    .option('--resume', 'continue an interrupted run in --out (with --queue: re-attach to it, retrying failed jobs)')
    .option('--queue <url>', "put the training jobs on the BullMQ queue of this Redis (redis://host:port) for 'aa-bench worker' processes, wait for them, then merge their results into the report", queueUrl)
    .option('--dry-run', 'print the sizes chosen and the time estimate, then stop without training');
}

function addExperimentOptions(cmd: Command, experiments: readonly Experiment[]): Command {
  const seen = new Set<string>();
  for (const e of experiments) {
    for (const o of e.options ?? []) {
      if (seen.has(o.flags)) continue;
      seen.add(o.flags);
      const option = new Option(o.flags, o.description);
      if (o.parse) option.argParser(o.parse as (value: string) => unknown);
      if (o.default !== undefined) option.default(o.default);
      cmd.addOption(option);
    }
  }
  return cmd;
}

/** Each experiment's own option values, picked from the command's options by their camelCase names. */
function experimentOptions(experiments: readonly Experiment[], values: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const byKey: Record<string, Record<string, unknown>> = {};
  for (const e of experiments) {
    byKey[e.key] = {};
    for (const o of e.options ?? []) {
      const name = new Option(o.flags).attributeName();
      (byKey[e.key] as Record<string, unknown>)[name] = values[name];
    }
  }
  return byKey;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Sizes the run: the stored plan of a resumed run, the user's sizes, or the largest plan that fits the budget. */
function chooseRunPlan(experiments: readonly Experiment[], o: TrainCliOptions, backend: BackendInfo, available: { train: number; test: number }, out: string): RunPlan {
  const trainers = experiments.filter((e) => e.trains);
  const before = o.resume && !explicitSizes(o) && o.preset === 'auto' ? earlierPlan(out) : null;
  if (before) {
    log(`--resume: continuing with the earlier run's sizes`);
    return before;
  }
  const cap = (s: { trainSize: number; testSize: number }) => ({ trainSize: Math.min(s.trainSize, available.train), testSize: Math.min(s.testSize, available.test) });
  const seeds = (n: number) => Array.from({ length: n }, (_, i) => o.seed + i);
  if (o.preset === 'smoke') {
    const f = fixedSizes(o);
    return fixedPlan(trainers, cap(f), null, f.epochs, seeds(f.seeds), 'preset smoke (a check that everything runs; no finding can show at this size)');
  }
  log('measuring training speed on the first steps ...');
  const t: Throughput = measureThroughput(backend.name);
  log(`throughput on ${backend.name}: ${t.cnn.toFixed(0)} img/s (small CNN), ${t.resnet.toFixed(1)} img/s (28-block ResNet${t.resnetExtrapolated ? ', extrapolated' : ''})`);
  if (o.preset !== 'auto' || explicitSizes(o)) {
    const f = fixedSizes(o);
    const why = o.preset === 'auto' ? "the sizes you gave, the chapter's settings for the rest" : `preset ${o.preset}${explicitSizes(o) ? ', with the sizes you gave' : ''}`;
    const plan = fixedPlan(trainers, cap(f), t, f.epochs, seeds(f.seeds), why);
    plan.why.push(`estimated ${formatDuration(plan.seconds)} on ${backend.name}`);
    return plan;
  }
  const budget = o.budget * 60;
  for (let sizes = cap(AUTO_SIZES); sizes.trainSize >= 1000; sizes = { trainSize: Math.floor(sizes.trainSize / 2), testSize: Math.max(500, Math.floor(sizes.testSize / 2)) }) {
    const plan = planToBudget(trainers, sizes, t, budget, o.seed);
    if (plan) return plan;
  }
  const smallest = fixedPlan(trainers, cap({ trainSize: 1000, testSize: 500 }), t, 5, [o.seed], '');
  const onednn = fixedPlan(trainers, cap(AUTO_SIZES), ONEDNN_REFERENCE, 10, [o.seed], '');
  throw new Error(
    `no size that can show the chapter's findings fits ${formatDuration(budget)} on the ${backend.name} backend: even 1,000 images × 5 epochs would take about ` +
      `${formatDuration(smallest.seconds)}. Install oneDNN (apt-get install libdnnl-dev, then pnpm install) for @aa/backend-onednn ` +
      `(${AUTO_SIZES.trainSize.toLocaleString('en-US')} images × 10 epochs there: about ${formatDuration(onednn.seconds)}), give a larger --budget, or choose a size yourself (--preset smoke, or --epochs/--train-size).`,
  );
}

async function runCommand(command: string, experiments: readonly Experiment[], values: TrainCliOptions & Record<string, unknown>): Promise<void> {
  const trains = experiments.some((e) => e.trains);
  if (trains) checkTrainOptions(values);
  if (typeof values.queue === 'string' && !values.dryRun) await checkQueue(values.queue);
  const { out, backend } = globals();
  const info = await selectBackend(backend);
  describeBackend(info).forEach((line) => log(line));
  let training: Parameters<typeof runExperiments>[0]['training'];
  if (trains) {
    const request: DataRequest = { dataDir: values.dataDir, archive: values.archive, subset: values.subset, cacheDir: values.cacheDir, url: values.dataUrl };
    const data = await resolveCifar10(request, log);
    const plan = chooseRunPlan(experiments, values, info, { train: data.train.count, test: data.fullTest.count }, out);
    for (const line of plan.why) log(`size: ${line}`);
    const batchSize = values.batchSize ?? fixedSizes(values).batchSize;
    training = {
      data,
      plan,
      settings: { preset: values.preset, trainSize: plan.sizes.trainSize, testSize: plan.sizes.testSize, batchSize, seed: values.seed, sizing: plan.why },
    };
    log(`data: ${data.source}; ${plan.sizes.trainSize} train / ${plan.sizes.testSize} test images, batch ${batchSize}`);
    for (const e of experiments.filter((x) => x.trains)) {
      const p = plan.plans[e.key];
      if (p) log(`plan: ${e.key}: ${plural(p.epochs, 'epoch')}, ${plural(p.seeds.length, 'seed')} (${p.seeds.join(', ')})`);
    }
    if (values.dryRun) return;
  }
  const resumeHint = () => {
    const args = process.argv.slice(2).filter((a) => a !== '--resume');
    const outGiven = args.some((a) => a === '--out' || a.startsWith('--out='));
    return `interrupted; to continue: aa-bench ${outGiven ? '' : `--out ${out} `}${args.join(' ')} --resume`;
  };
  const onInterrupt = () => {
    log('');
    log(resumeHint());
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const request = { out, command, experiments, options: experimentOptions(experiments, values), backend: info, sink, resume: values.resume === true, training };
    await (typeof values.queue === 'string' ? runOnQueue(request, { url: values.queue }) : runExperiments(request));
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  process.stdout.write(`${join(out, 'report.html')}\n`);
}

function addRunCommand(name: string, description: string, experiments: readonly Experiment[], extra?: (cmd: Command) => Command): void {
  let cmd = program.command(name).description(description);
  if (experiments.some((e) => e.trains)) cmd = addTrainingOptions(cmd);
  cmd = addExperimentOptions(cmd, experiments);
  if (extra) cmd = extra(cmd);
  cmd.action((values: TrainCliOptions & Record<string, unknown> & { only?: number[] }) => {
    const chosen = values.only ? experiments.filter((e) => values.only?.includes(e.exercise ?? -1)) : experiments;
    return runCommand(name, chosen, values);
  });
}

addRunCommand('chapter', `the chapter's own experiments, sized to the time budget: ${CHAPTER_EXPERIMENTS.map((e) => e.key).join(', ')} (the default)`, CHAPTER_EXPERIMENTS);
for (const e of EXPERIMENTS.filter((x) => x.exercise === undefined)) addRunCommand(e.command, e.summary, [e]);
addRunCommand('exercises', `the exercises: ${EXERCISES.map((e) => `${e.exercise} (${e.summary})`).join('; ')}`, EXERCISES, (cmd) =>
  cmd.option('--only <list>', `run only these exercises, e.g. 4,5 (default: ${EXERCISES.map((e) => e.exercise).join(',')})`, exerciseList),
);
addRunCommand('all', 'every experiment and exercise, in order, into one report', EXPERIMENTS);

/** Parses `--only` of `exercises`: comma-separated exercise numbers. */
function exerciseList(value: string): number[] {
  const known = EXERCISES.map((e) => String(e.exercise));
  const parts = value.split(',').map((p) => p.trim());
  const bad = parts.filter((p) => !known.includes(p));
  if (parts.length === 0 || bad.length > 0) throw new Error(`--only must be a comma-separated list of exercise numbers (${known.join(', ')}), got '${value}'.`);
  return parts.map(Number);
}

program
  .command('report')
  .description("rebuild report.md and report.html of a run from its results.json (a --queue run: merge its workers' results into results.json first)")
  .argument('<dir>', 'the run folder')
  .option('--partial', 'a --queue run: merge only the experiments whose jobs have all finished, naming the others')
  .action(async (dir: string, o: { partial?: boolean }) => {
    await reportCommand(dir, globals().backend, sink, { partial: o.partial === true });
    process.stdout.write(`${resolve(dir, 'report.html')}\n`);
  });

addWorkerCommand(program, () => globals().backend, sink);

program
  .command('compare')
  .description("compare runs' final test accuracies and shift figures with PyTorch peers (torch_peers.py or chapter14_reference.py output files): means over seeds, with Welch's 95% interval on the difference")
  .argument('<dirs...>', 'run folders (a model seed found in several: the last folder wins)')
  .requiredOption('--reference <files...>', 'JSON files written by scripts/torch_peers.py or chapter14_reference.py, one per model and seed, or folders of them')
  .option('--tolerance <points>', 'allowed difference of the mean accuracies in percentage points', tolerancePoints, 2)
  .option('--md <file>', 'also write the table to this Markdown file')
  .action((dirs: string[], options: { reference: string[]; tolerance: number; md?: string }) => {
    const report = compareWithReference(
      dirs.map((d) => readResults(resolve(d))),
      readReferences(options.reference.map((f) => resolve(f))),
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

/** With no command, the chapter's experiments: `chapter` goes after the global options. */
function withDefaultCommand(argv: string[]): string[] {
  const args = argv.slice(2);
  let i = 0;
  while (i < args.length) {
    const a = args[i] as string;
    if (a === '--out' || a === '--backend') i += 2;
    else if (a.startsWith('--out=') || a.startsWith('--backend=')) i += 1;
    else break;
  }
  const rest = args.slice(i);
  if (rest.length === 0 || (rest[0]?.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(rest[0] ?? ''))) {
    return [...argv.slice(0, 2), ...args.slice(0, i), 'chapter', ...rest];
  }
  return argv;
}

program.parseAsync(withDefaultCommand(process.argv)).catch((err: unknown) => {
  log(`aa-bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
