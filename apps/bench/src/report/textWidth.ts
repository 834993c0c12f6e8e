import { BOLD_WIDTHS, MEASURED_CHARS, NORMAL_WIDTHS } from './fontWidths';

const table = (widths: number[]) => new Map([...MEASURED_CHARS].map((c, i) => [c, (widths[i] ?? 1000) / 1000]));
const NORMAL = table(NORMAL_WIDTHS);
const BOLD = table(BOLD_WIDTHS);
/** Characters not measured count as a full em: wider than nearly any glyph, so the layout errs on the roomy side. */
const UNKNOWN = 1;
/** Room for kerning and for a face a little wider than DejaVu Sans. */
const MARGIN = 1.04;

/**
 * Width in pixels of `text` at `fontSize` from DejaVu Sans' advance widths. DejaVu is the widest common face of the
 * charts' font stack, so text laid out with this width fits in any of them.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const widths = bold ? BOLD : NORMAL;
  let em = 0;
  for (const c of text) em += widths.get(c) ?? UNKNOWN;
  return Math.ceil(em * fontSize * MARGIN);
}
