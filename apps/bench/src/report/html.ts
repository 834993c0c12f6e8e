import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

import type { Block, ReportDocument } from './document';
import { pageImage } from './figureImage';
import { REPORT_CSS } from './reportStyle';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The verdict marks of the claims (see verdicts.ts), coloured wherever they appear. */
const VERDICTS: [string, string][] = [
  ['✔ reproduced', 'v-yes'],
  ['✘ not reproduced', 'v-no'],
  ['? inconclusive', 'v-maybe'],
];

/** Inline Markdown the report text uses: `code`, **strong** and *emphasis*; verdict marks get their colour. */
export function inline(s: string): string {
  let html = escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>');
  for (const [mark, cls] of VERDICTS) html = html.split(mark).join(`<span class="verdict ${cls}">${mark}</span>`);
  return html;
}

/** Numbers, percentages and `a ± b` right-align with tabular figures so a column reads down. */
const NUMERIC = /^[-+−]?(\d[\d,]*(\.\d+)?|\.\d+)(e[-+]?\d+)?%?( ± [\d.]+)?$|^n\/a$/i;

function table(b: Extract<Block, { kind: 'table' }>, tableClass: string): string {
  // Short headers stay on one line ("p-value" must not break at its hyphen); numbers align on the right.
  const cls = (c: string, tag: 'td' | 'th') => (tag === 'th' ? (c.length <= 14 ? ' class="nowrap"' : '') : NUMERIC.test(c.trim()) ? ' class="num"' : '');
  const cell = (c: string, tag: 'td' | 'th') => `<${tag}${cls(c, tag)}>${inline(c)}</${tag}>`;
  return (
    `<div class="table-wrap"><table class="${tableClass}"><thead><tr>${b.header.map((h) => cell(h, 'th')).join('')}</tr></thead><tbody>` +
    b.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('') +
    '</tbody></table></div>'
  );
}

/** The width an SVG declares (its natural size). */
const svgWidth = (svg: string) => Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 0);

function figure(item: { file: string; caption: string; displayWidth: number }, dir: string): string {
  const caption = inline(item.caption);
  const file = escapeHtml(item.file);
  if (!existsSync(join(dir, item.file))) {
    return `<figure class="missing" data-file="${file}"><div>missing file <code>${file}</code></div><figcaption>${caption}</figcaption></figure>`;
  }
  if (extname(item.file) === '.svg') {
    // Charts go inline: the page stays one file, and their text stays sharp and selectable.
    const svg = readFileSync(join(dir, item.file), 'utf8').replace(/^<\?xml[^>]*>\s*/, '');
    const width = svgWidth(svg) || item.displayWidth;
    return `<figure class="svg-figure" data-file="${file}" style="width:${width}px">${svg.trim()}<figcaption>${caption}</figcaption></figure>`;
  }
  const img = pageImage(dir, item.file, item.displayWidth);
  const tag =
    `<img class="figure${img.pixelated ? ' pixelated' : ''}" alt="${escapeHtml(item.caption)}" ` +
    `width="${img.width}" height="${img.height}" src="${img.src}">`;
  const body = img.full ? `<a href="${file}" title="open the full-size image">${tag}</a>` : tag;
  const note = img.full ? ` <span class="note">(preview; <a href="${file}">full size</a>: ${img.full.width}×${img.full.height})</span>` : '';
  return `<figure class="raster" data-file="${file}" style="width:${img.width}px">${body}<figcaption>${caption}${note}</figcaption></figure>`;
}

function block(b: Block, dir: string, cls = ''): string {
  switch (b.kind) {
    case 'text':
      return `<p${cls ? ` class="${cls}"` : ''}>${inline(b.text)}</p>`;
    case 'table':
      return table(b, cls);
    case 'images':
      return `<div class="figures">${b.items.map((i) => figure(i, dir)).join('')}</div>`;
  }
}

const slug = (title: string, i: number) => `s${i + 1}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)}`;

/**
 * `report.html`: one page (styles inline, charts inline, raster figures embedded, large ones as reduced previews
 * that link to the full files beside it). The opening text and table of `doc.intro` (the run's verdicts) open the
 * page in a highlighted box, so the first screen says what the run showed.
 */
export function renderHtml(doc: ReportDocument, dir: string): string {
  // The verdict summary the document opens with: its first paragraph, and the table right after it.
  const intro = [...doc.intro];
  const summary: string[] = [];
  const [lead, verdicts] = intro;
  if (lead?.kind === 'text') {
    summary.push(block(lead, dir, 'lead'));
    intro.shift();
    if (verdicts?.kind === 'table') summary.push(block(intro.shift() as Block, dir, 'verdicts'));
  }
  const toc = doc.sections.length
    ? `<nav class="toc" aria-label="sections"><span>Sections:</span><ol>${doc.sections.map((s, i) => `<li><a href="#${slug(s.title, i)}">${inline(s.title)}</a></li>`).join('')}</ol></nav>`
    : '';
  const body = [
    `<header><h1>${inline(doc.title)}</h1></header>`,
    summary.length ? `<section class="summary" aria-label="verdicts">${summary.join('\n')}</section>` : '',
    ...intro.map((b) => block(b, dir, b.kind === 'table' ? 'plain' : '')),
    toc,
    ...doc.sections.map(
      (s, i) => `<section class="experiment" id="${slug(s.title, i)}"><h2>${inline(s.title)}</h2>\n${s.blocks.map((b) => block(b, dir, b.kind === 'table' ? 'plain' : '')).join('\n')}</section>`,
    ),
  ]
    .filter(Boolean)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>${REPORT_CSS}</style></head>
<body>
<main>
${body}
</main>
</body></html>
`;
}
