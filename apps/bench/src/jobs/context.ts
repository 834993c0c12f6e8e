import { trainTest, tryCifar100, type RunData } from '../data';
import type { Experiment, ExperimentContext, ExperimentPlan, ModelRun, ModelSpec, TrainTest } from '../experiments/types';
import type { RunPlan } from '../plan';
import type { Results } from '../report/results';
import type { JobWork } from './types';

/** The data every experiment of a training run draws on: the loaded set, its run subsets and CIFAR-100 on demand. */
export interface RunInputs {
  data: RunData;
  /** CIFAR-10 at the run's sizes. */
  cifar10: TrainTest;
  /** CIFAR-100 at the run's sizes (loaded once, on first use), or null when this run cannot have it. */
  cifar100(): Promise<TrainTest | null>;
}

/** The run's subsets of `data`, drawn with the run's `seed`, as the runner always drew them. */
export function runInputs(data: RunData, sizes: RunPlan['sizes'], seed: number, log: (line: string) => void): RunInputs {
  const cifar10 = trainTest(data, sizes, seed, data.embedded ? 'CIFAR-10 (embedded subset)' : 'CIFAR-10');
  let cifar100: Promise<TrainTest | null> | undefined;
  return {
    data,
    cifar10,
    cifar100: () => {
      cifar100 ??= (async () => {
        const d = data.embedded ? null : await tryCifar100(data.request, log);
        return d ? trainTest(d, sizes, seed, 'CIFAR-100') : null;
      })();
      return cifar100;
    },
  };
}

/** The job an experiment asks for with `ctx.train(spec, seed, data)`. */
export function jobWork(experiment: string, spec: ModelSpec, seed: number, data: TrainTest, inputs: RunInputs, plan: ExperimentPlan, options: Record<string, unknown>): JobWork {
  const fullTest = inputs.data.fullTest;
  return {
    experiment,
    model: spec.key,
    seed,
    spec,
    data,
    dataset: data === inputs.cifar10 ? 'cifar10' : 'cifar100',
    plan,
    shiftImage: spec.shift ? { set: fullTest, index: Math.min(Number(options.imageId ?? 0), fullTest.count - 1) } : undefined,
  };
}

/** Everything of an experiment's context except how its models train. */
export interface ContextParts {
  experiment: Experiment;
  plan: ExperimentPlan;
  options: Record<string, unknown>;
  /** Absent when the run trains nothing. */
  inputs: RunInputs | null;
  previous: Results['experiments'];
  log: (line: string) => void;
}

/** The context an experiment runs in; `train` gets each job the experiment asks for. */
export function experimentContext(parts: ContextParts, train: (job: JobWork) => Promise<ModelRun>): ExperimentContext {
  const { experiment, plan, options, inputs } = parts;
  return {
    plan,
    options,
    data: inputs?.data as RunData,
    cifar10: inputs?.cifar10 as TrainTest,
    cifar100: () => inputs?.cifar100() ?? Promise.resolve(null),
    train: (spec, seed, data) => {
      if (!inputs) return Promise.reject(new Error(`${experiment.key}: this run has no training data`));
      return train(jobWork(experiment.key, spec, seed, data ?? inputs.cifar10, inputs, plan, options));
    },
    previous: parts.previous,
    log: parts.log,
  };
}
