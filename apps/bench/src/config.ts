import { BACKEND_CHOICES, type BackendChoice } from './backend';

/** Options every subcommand takes. */
export interface GlobalOptions {
  out: string;
  backend: BackendChoice;
}

/** Options of the `aliasing` subcommand. */
export interface AliasingCliOptions {
  image?: string;
  factor: number;
  size: number;
}

/** Default output folder: `results/<timestamp>/`, a new one per run. */
export function defaultOutDir(now = new Date()): string {
  return `results/${now.toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`;
}

/** Parses a positive integer option for commander, naming the option in the error. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${value}'.`);
    return n;
  };
}

/** Parses `--backend`. */
export function backendChoice(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${value}'.`);
  }
  return value as BackendChoice;
}

/** Checks the aliasing settings that depend on each other. */
export function validateAliasing(options: AliasingCliOptions): void {
  if (options.factor < 2) throw new Error(`--factor must be at least 2 (the shrink factor), got ${options.factor}.`);
  if (options.size < 8 * options.factor) {
    throw new Error(`--size must be at least 8 x --factor (${8 * options.factor}) for a meaningful comparison, got ${options.size}.`);
  }
}
