import * as tf from '@tensorflow/tfjs';

import { fail } from './validate';

/** What `tf.layers.conv2d` accepts as an initializer: a registered name or an instance. */
export type Initializer = Parameters<typeof tf.layers.conv2d>[0]['kernelInitializer'];

/** A tfjs initializer instance. */
export type InitializerInstance = ReturnType<typeof tf.initializers.zeros>;

/**
 * PyTorch's default weight initialisation for `Conv2d` and `Linear` (kaiming-uniform with a = √5,
 * i.e. U(±1/√fanIn)), so the chapter's models start where the chapter's do.
 */
export function torchKernelInitializer(seed?: number): InitializerInstance {
  return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
}

/** PyTorch's default bias initialisation for a layer with `fanIn` inputs: U(±1/√fanIn). */
export function torchBiasInitializer(fanIn: number, seed?: number): InitializerInstance {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

const INITIALIZER_NAMES = "a tfjs initializer or its name ('glorotUniform', 'heNormal', 'zeros', ...)";

/**
 * Checks an initializer option and, with a `seed`, returns a copy seeded with it: a name (or
 * `undefined`, meaning `fallback`, tfjs's default) becomes that initializer, an instance keeps its
 * kind and settings. The caller's instance is never changed. Without a seed the value is returned
 * as it came (tfjs applies its default to `undefined`).
 */
export function seededInitializer(
  fn: string,
  name: string,
  value: Initializer,
  fallback: string,
  seed: number | undefined,
): Initializer {
  if (value === undefined && seed === undefined) return undefined;
  let serialized: tf.serialization.ConfigDict;
  try {
    // tfjs resolves names and serialises instances; a bare dense layer builds no weights.
    const probe = tf.layers.dense({ units: 1, kernelInitializer: value ?? (fallback as Initializer) });
    serialized = probe.getConfig().kernelInitializer as tf.serialization.ConfigDict;
  } catch {
    fail(fn, name, value, INITIALIZER_NAMES);
  }
  if (seed === undefined) return value;
  const className = serialized.className as string;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) fail(fn, name, value, `${INITIALIZER_NAMES} registered with tf.serialization`);
  const [cls, fromConfig] = entry;
  const config = { ...(serialized.config as tf.serialization.ConfigDict), seed };
  return fromConfig(cls, config) as unknown as InitializerInstance;
}

/** An initializer as a saved layer config holds it: `{ className, config }`. */
export type SerializedInitializer = tf.serialization.ConfigDict;

/**
 * Resolves an initializer option to an instance: a name, an instance, or the `{ className, config }`
 * a saved config holds (`undefined` means `fallback`). With a `seed`, the result is a copy seeded
 * with it; the caller's instance is never changed. Bad values fail naming `fn` and `name`.
 */
export function resolveInitializer(
  fn: string,
  name: string,
  value: Initializer | SerializedInitializer,
  fallback: string,
  seed: number | undefined,
): InitializerInstance {
  let serialized: tf.serialization.ConfigDict;
  try {
    // tfjs resolves names, instances and saved configs alike; a bare dense layer builds no weights.
    const probe = tf.layers.dense({ units: 1, kernelInitializer: (value ?? fallback) as Initializer });
    serialized = probe.getConfig().kernelInitializer as tf.serialization.ConfigDict;
  } catch {
    fail(fn, name, value, INITIALIZER_NAMES);
  }
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[serialized.className as string];
  if (entry === undefined) fail(fn, name, value, `${INITIALIZER_NAMES} registered with tf.serialization`);
  const [cls, fromConfig] = entry;
  const config = { ...(serialized.config as tf.serialization.ConfigDict), ...(seed === undefined ? {} : { seed }) };
  return fromConfig(cls, config) as unknown as InitializerInstance;
}

/** The `{ className, config }` form tfjs writes into saved layer configs. */
export function serializeInitializer(initializer: InitializerInstance): SerializedInitializer {
  return { className: initializer.getClassName(), config: initializer.getConfig() };
}
