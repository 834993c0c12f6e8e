import * as tf from '@tensorflow/tfjs';

import { el } from '../dom';
import { resizeAndCenterCrop, shrinkAndScore } from './measure';
import { zonePlate } from './zonePlate';

/** Side of the square image the demonstration shrinks (the chapter uses 1000; 512 keeps the cpu backend responsive). */
export const ALIASING_SIZE = 512;
export const FACTORS = [2, 3, 4, 6, 8] as const;

/** Shows a `[1, h, w, C]` tensor on a canvas, mapping `range` (default [0, 1]) to black…white. */
async function show(x: tf.Tensor4D, canvas: HTMLCanvasElement, range: [number, number] = [0, 1]): Promise<void> {
  const [lo, hi] = range;
  const image = tf.tidy(() => tf.clipByValue(tf.div(tf.sub(tf.squeeze(x, [0]), lo), Math.max(hi - lo, 1e-6)), 0, 1) as tf.Tensor3D);
  await tf.browser.toPixels(image, canvas);
  image.dispose();
}

/** A file the user dropped or picked, as `[1, size, size, 3]` in [0, 1]: resized so its shorter side is `size`, centre-cropped. */
async function decodeImage(file: Blob): Promise<tf.Tensor4D> {
  const bitmap = await createImageBitmap(file);
  const canvas = el('canvas', { attrs: { width: String(bitmap.width), height: String(bitmap.height) } });
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  const pixels = tf.browser.fromPixels(canvas);
  const x = tf.tidy(() => resizeAndCenterCrop(tf.div(pixels, 255) as tf.Tensor3D, ALIASING_SIZE));
  pixels.dispose();
  return x;
}

/**
 * The aliasing demonstration: the zone plate, or any image dropped on the panel, shrunk with max pooling and with
 * max-blur pooling, side by side, with each result's aliasing error.
 */
export function aliasingPanel(root: HTMLElement): void {
  let source: { name: string; image: tf.Tensor4D } = { name: 'zone plate', image: tf.tensor4d(zonePlate(ALIASING_SIZE), [1, ALIASING_SIZE, ALIASING_SIZE, 1]) };
  let factor = 4;

  const factorSelect = el('select', { attrs: { 'aria-label': 'shrink factor' } });
  for (const f of FACTORS) factorSelect.appendChild(el('option', { text: `${f}×`, attrs: { value: String(f) } }));
  factorSelect.value = String(factor);
  const fileInput = el('input', { attrs: { type: 'file', accept: 'image/*', 'aria-label': 'an image to shrink' } });
  const zoneButton = el('button', { text: 'zone plate', attrs: { type: 'button' } });
  const canvases = { original: el('canvas'), maxPool: el('canvas'), antiAliased: el('canvas') };
  const captions = { original: el('figcaption'), maxPool: el('figcaption'), antiAliased: el('figcaption') };
  const summary = el('p', { class: 'summary', attrs: { 'aria-live': 'polite' } });
  const figure = (k: keyof typeof canvases, cls: string) => el('figure', { class: cls, attrs: { 'data-result': k } }, [canvases[k], captions[k]]);

  root.append(
    el('div', { class: 'controls' }, [
      el('label', { text: 'shrink ' }, [factorSelect]),
      document.createTextNode(' image: '),
      zoneButton,
      document.createTextNode(' or drop one here, or '),
      fileInput,
    ]),
    el('div', { class: 'aliasing-row' }, [figure('original', 'original'), figure('maxPool', 'shrunk'), figure('antiAliased', 'shrunk')]),
    summary,
  );

  async function run(): Promise<void> {
    root.dataset.state = 'busy';
    const r = shrinkAndScore(source.image, factor);
    const n = r.maxPool.shape[1];
    // Max pooling of a zone plate is mostly near white: both results are shown stretched to their common range, so the
    // false patterns are visible (the errors are computed on the values themselves).
    const range = tf.tidy(() => {
      const both = tf.concat([tf.reshape(r.maxPool, [-1]), tf.reshape(r.antiAliased, [-1])]);
      return [tf.min(both).dataSync()[0], tf.max(both).dataSync()[0]] as [number, number];
    });
    await Promise.all([show(source.image, canvases.original), show(r.maxPool, canvases.maxPool, range), show(r.antiAliased, canvases.antiAliased, range)]);
    tf.dispose([r.maxPool, r.antiAliased]);
    captions.original.textContent = `${source.name}, ${ALIASING_SIZE}×${ALIASING_SIZE}`;
    captions.maxPool.textContent = `max pooling, ${factor}× smaller (${n}×${n}): aliasing error ${r.error.maxPool.toFixed(4)}`;
    captions.antiAliased.textContent = `max-blur pooling (blur of ${r.blurKernelSize} taps): aliasing error ${r.error.antiAliased.toFixed(4)}`;
    summary.textContent = `Anti-aliasing lowers the RMS aliasing error by ${(r.reduction * 100).toFixed(1)} % (${r.error.maxPool.toFixed(4)} → ${r.error.antiAliased.toFixed(4)}). The shrunk images are shown with their common range [${range[0].toFixed(2)}, ${range[1].toFixed(2)}] stretched to black…white.`;
    Object.assign(root.dataset, { source: source.name, factor: String(factor), maxPoolError: String(r.error.maxPool), antiAliasedError: String(r.error.antiAliased), state: 'done' });
  }

  async function use(name: string, image: tf.Tensor4D): Promise<void> {
    source.image.dispose();
    source = { name, image };
    await run();
  }

  const fail = (err: unknown) => {
    root.dataset.state = 'error';
    summary.textContent = `Could not use that image: ${err instanceof Error ? err.message : String(err)}`;
  };
  const useFile = (file: File | undefined) => {
    if (file) decodeImage(file).then((image) => use(file.name, image), fail);
  };
  factorSelect.addEventListener('change', () => {
    factor = Number(factorSelect.value);
    run().catch(fail);
  });
  zoneButton.addEventListener('click', () => use('zone plate', tf.tensor4d(zonePlate(ALIASING_SIZE), [1, ALIASING_SIZE, ALIASING_SIZE, 1])).catch(fail));
  fileInput.addEventListener('change', () => useFile(fileInput.files?.[0]));
  root.addEventListener('dragover', (e) => {
    e.preventDefault();
    root.classList.add('dropping');
  });
  root.addEventListener('dragleave', () => root.classList.remove('dropping'));
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('dropping');
    useFile(e.dataTransfer?.files[0]);
  });

  run().catch(fail);
}
