/**
 * The playground: chapter 14's two phenomena, live. `?backend=cpu` (or `webgl`, the default) picks tfjs's backend.
 */
import '@aa/blur'; // registers MaxBlurPool2D, which the anti-aliased CNN holds
import { CHAPTER_CNN_KEYS, loadChapterCnn, loadChapterCnnMetadata } from '@aa/chapter-models';
import * as tf from '@tensorflow/tfjs';

import { aliasingPanel } from './aliasing/panel';
import { shiftPanel, type LoadedModel } from './shift/panel';
import { loadTestImages } from './shift/testImages';
import './style.css';

async function chooseBackend(): Promise<string> {
  const wanted = new URLSearchParams(location.search).get('backend') ?? 'webgl';
  if (!(await tf.setBackend(wanted).catch(() => false))) await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}

async function main(): Promise<void> {
  const status = document.getElementById('status') as HTMLElement;
  const backend = await chooseBackend();
  document.body.dataset.backend = backend;
  status.textContent = `tfjs ${tf.version.tfjs}, ${backend} backend`;
  aliasingPanel(document.getElementById('aliasing-panel') as HTMLElement);
  const shiftRoot = document.getElementById('shift-panel') as HTMLElement;
  const [images, models] = await Promise.all([
    loadTestImages(import.meta.env.BASE_URL),
    Promise.all(CHAPTER_CNN_KEYS.map(async (key): Promise<LoadedModel> => ({ key, model: await loadChapterCnn(key), metadata: await loadChapterCnnMetadata(key) }))),
  ]);
  shiftRoot.replaceChildren();
  shiftPanel(shiftRoot, images, models);
  shiftRoot.dataset.state = 'ready';
}

main().catch((err: unknown) => {
  const status = document.getElementById('status') as HTMLElement;
  status.textContent = `Error: ${err instanceof Error ? err.message : String(err)}`;
  document.body.dataset.error = String(err);
  console.error(err);
});
