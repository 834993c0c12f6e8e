import type { ChapterCnnKey } from './keys';
import { CHAPTER_CNN_KEYS } from './keys';
import { describe } from './validate';

/** Exercise 1's shift figures of a model over the test images (aa-bench's `shift.metrics`). */
export interface ShiftMetrics {
  /** Median over test images of the std, over the 64 24×24 crops, of P(correct class). Lower is steadier. */
  medianStd: number;
  /** Fraction of crops classified as the centre crop is. */
  agreement: number;
  /** Accuracy over every crop of every test image. */
  accuracyAllShifts: number;
  /** Test images measured. */
  images: number;
}

/** `metadata.json`, beside each model: what it is, how it was trained, and what it scored. */
export interface ChapterCnnMetadata {
  format: 'aa-chapter-model';
  version: 1;
  key: ChapterCnnKey;
  /** e.g. `plain CNN (max pooling)`. */
  label: string;
  architecture: {
    /** The call that builds the same (untrained) network, e.g. `chapterCnn({ pooling: 'maxblur' })` of `@aa/blur`. */
    builder: string;
    pooling: 'max' | 'maxblur';
    /** Trainable parameters (18,010, as PyTorch counts them). */
    parameters: number;
    /** `[24, 24, 3]`, channels-last, values in [0, 1] (no normalisation). */
    inputShape: [number, number, number];
    /** Class names in logit order. */
    classNames: string[];
  };
  training: {
    /** The aa-bench command that trained it. */
    command: string;
    /** `chapter`: 50,000 images × 30 epochs on the full CIFAR-10, as the book; `reduced`: anything smaller. */
    protocol: 'chapter' | 'reduced';
    /** Where the images came from, e.g. `CIFAR-10 (full)` or `embedded CIFAR-10 subset (--subset)`. */
    data: string;
    trainImages: number;
    testImages: number;
    epochs: number;
    batchSize: number;
    seed: number;
    /** tfjs backend and version, e.g. `onednn, tfjs 4.22.0`. */
    backend: string;
    /** When the run finished (ISO 8601). */
    finishedAt: string;
  };
  results: {
    /** Accuracy on the centre 24×24 crops of the `testImages` test images. */
    testAccuracy: number;
    shift: ShiftMetrics;
  };
  /** Anything a user should know first (e.g. that these are stand-ins until the chapter-protocol models are in). */
  note?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFraction = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;
const isText = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** Each field's check and what it must be, for the error message. */
const FIELDS: [path: string, ok: (v: unknown) => boolean, allowed: string][] = [
  ['format', (v) => v === 'aa-chapter-model', "'aa-chapter-model'"],
  ['version', (v) => v === 1, '1'],
  ['key', (v) => (CHAPTER_CNN_KEYS as readonly unknown[]).includes(v), "'plain' or 'aa'"],
  ['label', isText, 'a non-empty string'],
  ['architecture.builder', isText, 'a non-empty string'],
  ['architecture.pooling', (v) => v === 'max' || v === 'maxblur', "'max' or 'maxblur'"],
  ['architecture.parameters', isCount, 'a whole number'],
  ['architecture.inputShape', (v) => Array.isArray(v) && v.length === 3 && v.every(isCount), '[height, width, channels]'],
  ['architecture.classNames', (v) => Array.isArray(v) && v.length > 1 && v.every(isText), 'an array of class names'],
  ['training.command', isText, 'a non-empty string'],
  ['training.protocol', (v) => v === 'chapter' || v === 'reduced', "'chapter' or 'reduced'"],
  ['training.data', isText, 'a non-empty string'],
  ['training.trainImages', isCount, 'a whole number'],
  ['training.testImages', isCount, 'a whole number'],
  ['training.epochs', isCount, 'a whole number'],
  ['training.batchSize', isCount, 'a whole number'],
  ['training.seed', isCount, 'a whole number'],
  ['training.backend', isText, 'a non-empty string'],
  ['training.finishedAt', isText, 'an ISO 8601 date'],
  ['results.testAccuracy', isFraction, 'a number in [0, 1]'],
  ['results.shift.medianStd', isFraction, 'a number in [0, 1]'],
  ['results.shift.agreement', isFraction, 'a number in [0, 1]'],
  ['results.shift.accuracyAllShifts', isFraction, 'a number in [0, 1]'],
  ['results.shift.images', isCount, 'a whole number'],
  ['note', (v) => v === undefined || typeof v === 'string', 'a string or absent'],
];

function at(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), root);
}

/**
 * Checks a parsed `metadata.json` field by field; a wrong one is an error naming the file and the field.
 * @param fn Function name for messages.
 * @param file Where the metadata came from.
 * @param raw The parsed JSON.
 * @param key The model it must describe.
 */
export function checkMetadata(fn: string, file: string, raw: unknown, key: ChapterCnnKey): ChapterCnnMetadata {
  if (!isRecord(raw)) throw new Error(`${fn}: ${file} must hold a JSON object, got ${describe(raw)}.`);
  for (const [path, ok, allowed] of FIELDS) {
    const value = at(raw, path);
    if (!ok(value)) throw new Error(`${fn}: ${file}: ${path} must be ${allowed}, got ${describe(value)}.`);
  }
  if (raw.key !== key) throw new Error(`${fn}: ${file}: key must be '${key}' (the model it sits beside), got ${describe(raw.key)}.`);
  return raw as unknown as ChapterCnnMetadata;
}
