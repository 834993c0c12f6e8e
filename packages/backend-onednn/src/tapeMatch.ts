/**
 * Recognising tfjs-layers' training-mode batch norm on the gradient tape:
 * `batchNorm(reshape(x), mean(x), mean(square(sub(cast(x), reshape(mean(x))))))`, the graph of
 * `tf.moments` followed by `tf.batchNorm`. Only then may batch norm's gradient fold the gradients
 * that flow back through the statistics into dx (gradients.ts): the check is on the tape's own
 * nodes and tensor ids, so statistics that merely hold the same data (a variable assigned the
 * batch mean, a mean computed outside the tape) do not qualify.
 */
import { engine } from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** The fields of tfjs-core's TapeNode this module reads. */
interface TapeNode {
  kernelName: string;
  inputs: Record<string, Tensor | undefined>;
  outputs: Tensor[];
  saved?: Tensor[];
}

interface TapeIndex {
  tape: TapeNode[];
  length: number;
  bySaved: Map<Tensor[], TapeNode>;
  byOutput: Map<number, TapeNode>;
}

let cached: TapeIndex | null = null;

/** The tape being back-propagated (tfjs keeps it in the engine's state until the gradients are done). */
function activeTape(): TapeNode[] | null {
  const tape = (engine().state as unknown as { activeTape?: TapeNode[] | null }).activeTape;
  return Array.isArray(tape) ? tape : null;
}

function indexOf(tape: TapeNode[]): TapeIndex {
  if (cached !== null && cached.tape === tape && cached.length === tape.length) return cached;
  const bySaved = new Map<Tensor[], TapeNode>();
  const byOutput = new Map<number, TapeNode>();
  for (const node of tape) {
    if (node.saved) bySaved.set(node.saved, node);
    for (const out of node.outputs) if (out) byOutput.set(out.id, node);
  }
  cached = { tape, length: tape.length, bySaved, byOutput };
  return cached;
}

/** The tensor t was computed from through value-preserving kernels (Reshape, same-dtype Cast, Identity). */
function source(index: TapeIndex, t: Tensor | undefined): Tensor | undefined {
  let cur = t;
  for (let hops = 0; cur !== undefined && hops < 8; hops++) {
    const node = index.byOutput.get(cur.id);
    if (node === undefined || node.outputs.length !== 1) return cur;
    const isView = node.kernelName === 'Reshape' || node.kernelName === 'Identity' || (node.kernelName === 'Cast' && node.inputs.x?.dtype === cur.dtype);
    if (!isView) return cur;
    cur = node.inputs.x;
  }
  return cur;
}

/** The single-output node of `kernelName` that produced t, if any. */
function producer(index: TapeIndex, t: Tensor | undefined, kernelName: string): TapeNode | undefined {
  if (t === undefined) return undefined;
  const node = index.byOutput.get(t.id);
  return node !== undefined && node.kernelName === kernelName && node.outputs.length === 1 ? node : undefined;
}

/**
 * Whether the FusedBatchNorm node whose saved tensors are `saved` normalises x with tf.moments(x)'s
 * own mean and variance, on the tape being back-propagated.
 */
export function normalisesWithOwnMoments(saved: Tensor[]): boolean {
  const tape = activeTape();
  if (tape === null) return false;
  const index = indexOf(tape);
  const bn = index.bySaved.get(saved);
  if (bn === undefined || bn.kernelName !== 'FusedBatchNorm') return false;
  const x = source(index, bn.inputs.x);
  const mean = bn.inputs.mean;
  const meanNode = producer(index, mean, 'Mean');
  if (x === undefined || mean === undefined || meanNode === undefined || source(index, meanNode.inputs.x) !== x) return false;
  const square = producer(index, producer(index, bn.inputs.variance, 'Mean')?.inputs.x, 'Square');
  const sub = producer(index, square?.inputs.x, 'Sub');
  return sub !== undefined && source(index, sub.inputs.a) === x && source(index, sub.inputs.b) === mean;
}
