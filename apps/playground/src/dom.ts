/** `document.createElement` with a class, attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; text?: string; attrs?: Record<string, string> } = {}, children: Node[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) e.setAttribute(k, v);
  for (const c of children) e.appendChild(c);
  return e;
}

/** A canvas showing uint8 RGB pixels `[h, w, 3]` at their own size (CSS scales it, pixelated). */
export function rgbCanvas(pixels: Uint8Array, width: number, height: number, canvas = el('canvas')): HTMLCanvasElement {
  canvas.width = width;
  canvas.height = height;
  const image = new ImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    image.data.set([pixels[p * 3] as number, pixels[p * 3 + 1] as number, pixels[p * 3 + 2] as number, 255], p * 4);
  }
  canvas.getContext('2d')?.putImageData(image, 0, 0);
  return canvas;
}

/** Formats a probability for the readouts. */
export const pct = (p: number): string => `${(p * 100).toFixed(1)} %`;
