import { aliasing } from './aliasing';
import { exercise2 } from './exercise2';
import { exercise3 } from './exercise3';
import { exercise4 } from './exercise4';
import { exercise5 } from './exercise5';
import { exercise6 } from './exercise6';
import { mixup } from './mixup';
import { residual } from './residual';
import { shift } from './shift';
import type { Experiment } from './types';

/**
 * Every experiment of the chapter, in the order a run takes them. The CLI, the time estimate, the runner and the
 * report all loop over this list: adding an experiment is one module and one line here.
 */
export const EXPERIMENTS: readonly Experiment[] = [aliasing, shift, residual, mixup, exercise2, exercise3, exercise4, exercise5, exercise6] as unknown as Experiment[];

/** The chapter's own experiments: what `aa-bench` runs with no arguments. */
export const CHAPTER_EXPERIMENTS: readonly Experiment[] = EXPERIMENTS.filter((e) => e.exercise === undefined);

/** The exercises, run by `aa-bench exercises`. */
export const EXERCISES: readonly Experiment[] = EXPERIMENTS.filter((e) => e.exercise !== undefined);

/** The experiment with this key; an unknown key is an error naming the known ones. */
export function experiment(key: string): Experiment {
  const found = EXPERIMENTS.find((e) => e.key === key);
  if (!found) throw new Error(`unknown experiment '${key}'; known: ${EXPERIMENTS.map((e) => e.key).join(', ')}.`);
  return found;
}
