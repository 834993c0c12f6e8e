import * as tf from '@tensorflow/tfjs';

import type { ChapterCnnKey } from './keys';
import { describe } from './validate';

/** A model's `model.json` as tfjs writes it: the topology and one manifest group naming its weight file. */
export interface ModelJson {
  modelTopology: { config?: { layers?: { class_name?: string }[] } };
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

const BYTES_PER_ELEMENT: Partial<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };

/** Checks a parsed `model.json`: a layers model whose weights are in exactly one file. Returns that file's name. */
export function checkModelJson(fn: string, file: string, raw: unknown): { json: ModelJson; weightsPath: string } {
  const json = raw as Partial<ModelJson> | null;
  const groups = json?.weightsManifest;
  if (json === null || typeof json !== 'object' || typeof json.modelTopology !== 'object' || !Array.isArray(groups)) {
    throw new Error(`${fn}: ${file} must be a tfjs layers model.json with modelTopology and weightsManifest (truncated or not a model?).`);
  }
  const paths = groups.flatMap((g) => (Array.isArray(g?.paths) ? g.paths : []));
  if (groups.length !== 1 || paths.length !== 1 || typeof paths[0] !== 'string') {
    throw new Error(`${fn}: ${file} must name exactly one weights file, got ${describe(paths)}.`);
  }
  return { json: json as ModelJson, weightsPath: paths[0] };
}

/** Bytes the manifest's weights need. */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((n, s) => n + (BYTES_PER_ELEMENT[s.quantization?.dtype ?? s.dtype] ?? Number.NaN) * s.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Layer classes of the topology that no package has registered: the anti-aliased model's `MaxBlurPool2D` needs
 * `@aa/blur` imported first (this package does not import it: the @aa packages do not import each other).
 */
function unregisteredLayers(json: ModelJson): string[] {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  const names = (json.modelTopology.config?.layers ?? []).map((l) => l.class_name ?? '');
  return [...new Set(names)].filter((n) => n !== '' && !(n in known));
}

/**
 * The tfjs model of a `model.json` and its weight bytes, after checking that every layer class is registered and
 * that the weights file holds exactly the bytes the manifest describes (a truncated download is an error naming it).
 */
export async function modelFromFiles(fn: string, key: ChapterCnnKey, where: { model: string; weights: string }, raw: unknown, weights: ArrayBuffer): Promise<tf.LayersModel> {
  const { json } = checkModelJson(fn, where.model, raw);
  const missing = unregisteredLayers(json);
  if (missing.length > 0) {
    throw new Error(
      `${fn}: the '${key}' model needs the layer class${missing.length > 1 ? 'es' : ''} ${missing.join(', ')}, which no package has registered: ` +
        `import '@aa/blur' (it registers MaxBlurPool2D and BlurPool) before loading.`,
    );
  }
  const specs = json.weightsManifest[0]?.weights ?? [];
  const bytes = expectedBytes(specs);
  if (weights.byteLength !== bytes) {
    throw new Error(`${fn}: ${where.weights} holds ${weights.byteLength} bytes but ${where.model} describes ${bytes} (truncated or corrupt?).`);
  }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'], weightSpecs: specs, weightData: weights }));
}
