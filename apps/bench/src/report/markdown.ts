import type { Block, ReportDocument } from './document';

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return b.text;
    case 'table': {
      const esc = (s: string) => s.replace(/\|/g, '\\|');
      const lines = [`| ${b.header.map(esc).join(' | ')} |`, `| ${b.header.map(() => '---').join(' | ')} |`];
      for (const row of b.rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
      return lines.join('\n');
    }
    case 'images':
      return b.items.map((i) => `![${i.caption}](${i.file})`).join('\n') + '\n\n' + b.items.map((i) => `*${i.caption}*`).join(' · ');
  }
}

/** `report.md`: the report as Markdown, images linked by file name. */
export function renderMarkdown(doc: ReportDocument): string {
  const parts = [`# ${doc.title}`, ...doc.intro.map(block)];
  for (const section of doc.sections) parts.push(`## ${section.title}`, ...section.blocks.map(block));
  return parts.join('\n\n') + '\n';
}
