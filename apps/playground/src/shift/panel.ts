import { CIFAR10_CLASS_NAMES, type ChapterCnnKey, type ChapterCnnMetadata } from '@aa/chapter-models';
import type * as tf from '@tensorflow/tfjs';

import { el, pct, rgbCanvas } from '../dom';
import { CENTRE, clampShift, crop, CROP, cropIndex } from './crops';
import { createShiftPlot, drawShiftPlot } from './plot';
import { probabilitiesOfCrop, probabilitiesPerShift } from './predict';
import type { TestImage } from './testImages';

/** One of the two CNNs, loaded, with its training record. */
export interface LoadedModel {
  key: ChapterCnnKey;
  model: tf.LayersModel;
  metadata: ChapterCnnMetadata;
}

const SCALE = 8; // screen pixels per image pixel on the stage

/**
 * The shift demonstration: a CIFAR-10 test image under a fixed 24×24 window; dragging the image (or the arrow keys)
 * moves it pixel by pixel over its 64 crops. For both models, P(class) of every crop is plotted and the current crop is
 * marked and scored on its own.
 */
export function shiftPanel(root: HTMLElement, images: TestImage[], models: LoadedModel[]): void {
  let image = images[0] as TestImage;
  let top: number = CENTRE.top;
  let left: number = CENTRE.left;
  let classIndex = image.label;
  let perShift = new Map<ChapterCnnKey, number[][]>();

  const picker = el('div', { class: 'picker', attrs: { role: 'group', 'aria-label': 'test image' } });
  images.forEach((im, k) => {
    const b = el('button', { attrs: { type: 'button', title: `test image ${im.index}: ${im.className}`, 'data-image': String(k) } }, [rgbCanvas(im.pixels, 32, 32)]);
    b.addEventListener('click', () => choose(k));
    picker.appendChild(b);
  });

  const stageCanvas = el('canvas', { attrs: { width: String(32 * SCALE), height: String(32 * SCALE) } });
  const stage = el('div', { class: 'stage', attrs: { tabindex: '0', 'aria-label': 'drag the image, or use the arrow keys, to move it under the 24×24 window' } }, [
    stageCanvas,
    el('div', { class: 'window' }),
  ]);
  const cropCanvas = el('canvas', { class: 'crop' });
  const where = el('p', { class: 'where' });
  const classSelect = el('select', { attrs: { 'aria-label': 'class to plot' } });
  CIFAR10_CLASS_NAMES.forEach((name, i) => classSelect.appendChild(el('option', { text: name, attrs: { value: String(i) } })));
  classSelect.addEventListener('change', () => {
    classIndex = Number(classSelect.value);
    render();
  });

  const figures = models.map((m) => {
    const svg = createShiftPlot();
    const readout = el('p', { class: 'readout' });
    const acc = `${(m.metadata.results.testAccuracy * 100).toFixed(1)} % test accuracy`;
    const figure = el('figure', { class: 'model', attrs: { 'data-model': m.key } }, [el('figcaption', { text: `${m.metadata.label} — ${acc}` }), svg, readout]);
    return { m, svg, readout, figure };
  });

  const notes = [...new Set(models.map((m) => m.metadata.note).filter((n): n is string => n !== undefined))];
  root.append(
    picker,
    el('div', { class: 'shift-row' }, [
      stage,
      el('div', { class: 'crop-view' }, [el('p', { text: 'what the models see (24×24)' }), cropCanvas, where, el('label', { text: 'plot P(' }, [classSelect, document.createTextNode(')')])]),
    ]),
    el('div', { class: 'plots' }, figures.map((f) => f.figure)),
    ...notes.map((n) => el('p', { class: 'note', text: `About these models: ${n}` })),
  );

  function drawStage(): void {
    const ctx = stageCanvas.getContext('2d');
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = '#222';
    ctx.fillRect(0, 0, stageCanvas.width, stageCanvas.height);
    // The window is fixed at the centre crop's place; the image moves under it.
    ctx.drawImage(rgbCanvas(image.pixels, 32, 32), (CENTRE.left - left) * SCALE, (CENTRE.top - top) * SCALE, 32 * SCALE, 32 * SCALE);
    const cropPixels = crop(image.pixels, top, left);
    const bytes = Uint8Array.from(cropPixels, (v) => Math.round(v * 255));
    rgbCanvas(bytes, CROP, CROP, cropCanvas);
  }

  function render(): void {
    const index = cropIndex(top, left);
    stage.dataset.top = String(top);
    stage.dataset.left = String(left);
    stage.dataset.image = String(image.index);
    where.textContent = `crop top ${top}, left ${left} (index ${index} of 64)${top === CENTRE.top && left === CENTRE.left ? ', the centre crop' : ''}`;
    drawStage();
    const className = CIFAR10_CLASS_NAMES[classIndex] as string;
    for (const f of figures) {
      const values = (perShift.get(f.m.key) ?? []).map((p) => p[classIndex] as number);
      drawShiftPlot(f.svg, values, index, `P(${className}) per shift, ${f.m.metadata.label}`);
      const probs = probabilitiesOfCrop(f.m.model, image.pixels, top, left);
      const best = probs.indexOf(Math.max(...probs));
      f.readout.dataset.probs = JSON.stringify(probs);
      f.readout.replaceChildren(
        el('span', { text: `P(${className}) = ${pct(probs[classIndex] as number)}` }),
        document.createTextNode(' · predicts '),
        el('strong', { class: best === image.label ? 'right' : 'wrong', text: `${CIFAR10_CLASS_NAMES[best]} (${pct(probs[best] as number)})` }),
      );
    }
  }

  function choose(k: number): void {
    image = images[k] as TestImage;
    classIndex = image.label;
    classSelect.value = String(classIndex);
    top = CENTRE.top;
    left = CENTRE.left;
    perShift = new Map(models.map((m) => [m.key, probabilitiesPerShift(m.model, image.pixels)]));
    picker.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-pressed', String(i === k)));
    render();
  }

  function moveTo(newTop: number, newLeft: number): void {
    const [t, l] = [clampShift(newTop), clampShift(newLeft)];
    if (t === top && l === left) return;
    [top, left] = [t, l];
    render();
  }

  // Dragging the image right by one image pixel moves the window one pixel left over it.
  let drag: { x: number; y: number; top: number; left: number } | null = null;
  stage.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, top, left };
    stage.setPointerCapture(e.pointerId);
  });
  stage.addEventListener('pointermove', (e) => {
    if (drag) moveTo(drag.top - (e.clientY - drag.y) / SCALE, drag.left - (e.clientX - drag.x) / SCALE);
  });
  const end = () => {
    drag = null;
  };
  stage.addEventListener('pointerup', end);
  stage.addEventListener('pointercancel', end);
  stage.addEventListener('keydown', (e) => {
    const step: Record<string, [number, number]> = { ArrowLeft: [0, 1], ArrowRight: [0, -1], ArrowUp: [1, 0], ArrowDown: [-1, 0] };
    const d = step[e.key];
    if (!d) return;
    e.preventDefault();
    moveTo(top + d[0], left + d[1]);
  });

  choose(0);
}
