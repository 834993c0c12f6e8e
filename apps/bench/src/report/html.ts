import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

import type { Block, ReportDocument } from './document';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline Markdown the report text uses: `code` and *emphasis*. */
const inline = (s: string) =>
  escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>');

const MIME: Record<string, string> = { '.png': 'image/png', '.svg': 'image/svg+xml' };

function block(b: Block, dir: string): string {
  switch (b.kind) {
    case 'text':
      return `<p>${inline(b.text)}</p>`;
    case 'table':
      return (
        `<table><thead><tr>${b.header.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead><tbody>` +
        b.rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('') +
        '</tbody></table>'
      );
    case 'images':
      return (
        '<div class="figures">' +
        b.items
          .map((i) => {
            if (extname(i.file) === '.svg') {
              // SVG charts go inline, so the page stays one file and the text stays selectable.
              const svg = readFileSync(join(dir, i.file), 'utf8');
              return `<figure class="svg-figure" data-file="${escapeHtml(i.file)}" style="width:${i.displayWidth}px">${svg}<figcaption>${inline(i.caption)}</figcaption></figure>`;
            }
            // Self-contained: every image travels inside the page as a data URI.
            const data = readFileSync(join(dir, i.file)).toString('base64');
            const mime = MIME[extname(i.file)] ?? 'application/octet-stream';
            return (
              `<figure><img class="figure" alt="${escapeHtml(i.caption)}" width="${i.displayWidth}" ` +
              `src="data:${mime};base64,${data}"><figcaption>${inline(i.caption)}</figcaption></figure>`
            );
          })
          .join('') +
        '</div>'
      );
  }
}

/** `report.html`: one self-contained page (styles inline, images embedded) built from the document. */
export function renderHtml(doc: ReportDocument, dir: string): string {
  const body = [
    `<h1>${inline(doc.title)}</h1>`,
    ...doc.intro.map((b) => block(b, dir)),
    ...doc.sections.flatMap((s) => [`<h2>${inline(s.title)}</h2>`, ...s.blocks.map((b) => block(b, dir))]),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.title)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1180px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; }
figure.svg-figure svg { max-width: 100%; height: auto; }
img.figure { image-rendering: pixelated; border: 1px solid #ddd; } figcaption { font-size: 13px; color: #555; }
code { background: #f3f3f3; padding: 0 0.2em; }
</style></head>
<body>
${body}
</body></html>
`;
}
