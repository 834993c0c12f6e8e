import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { lineChart } from '../src/report/charts';
import type { ReportDocument } from '../src/report/document';
import { renderHtml } from '../src/report/html';
import { encodePng } from '../src/report/png';

const dir = mkdtempSync(join(tmpdir(), 'aa-bench-html-'));

describe('renderHtml', () => {
  let html: string;
  beforeAll(async () => {
    writeFileSync(join(dir, 'chart.svg'), await lineChart({ title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[0, 0], [1, 1]] }], width: 480 }));
    writeFileSync(join(dir, 'grid.png'), encodePng({ width: 40, height: 30, channels: 1, data: new Float32Array(1200).fill(0.5) }));
    const doc: ReportDocument = {
      title: 'aa-bench report',
      intro: [
        { kind: 'text', text: '**This run reproduced 1 of the 2 findings it tested**.' },
        { kind: 'table', header: ['finding of the chapter', 'verdict', 'p-value'], rows: [['Blur <helps>.', '✔ reproduced', '0.003'], ['ReZero helps.', '? inconclusive', 'n/a']] },
        { kind: 'text', text: 'Run with `aa-bench all`.' },
        { kind: 'table', header: ['setting', 'value'], rows: [['batch size', '16']] },
      ],
      sections: [
        {
          title: 'Shift: plain vs anti-aliased CNN',
          blocks: [
            { kind: 'text', text: '**✘ not reproduced** — a claim.' },
            {
              kind: 'images',
              items: [
                { file: 'chart.svg', caption: 'a chart', displayWidth: 560 },
                { file: 'grid.png', caption: 'a grid', displayWidth: 40 },
                { file: 'gone.png', caption: 'lost', displayWidth: 100 },
              ],
            },
          ],
        },
      ],
    };
    html = renderHtml(doc, dir);
  });

  it('opens with the verdict summary: the lead paragraph and the verdict table in one highlighted box', () => {
    const summary = /<section class="summary"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(summary).toContain('<p class="lead"><strong>This run reproduced 1 of the 2 findings it tested</strong>.</p>');
    expect(summary).toContain('<table class="verdicts">');
    expect(summary).not.toContain('aa-bench all');
    // The summary comes right after the title, before the rest of the intro.
    expect(html.indexOf('<h1>')).toBeLessThan(html.indexOf('class="summary"'));
    expect(html.indexOf('class="summary"')).toBeLessThan(html.indexOf('aa-bench all'));
  });

  it('colours every verdict mark, in tables and in text', () => {
    expect(html).toContain('<td><span class="verdict v-yes">✔ reproduced</span></td>');
    expect(html).toContain('<td><span class="verdict v-maybe">? inconclusive</span></td>');
    expect(html).toContain('<strong><span class="verdict v-no">✘ not reproduced</span></strong>');
  });

  it('escapes text, right-aligns numbers and keeps short headers on one line', () => {
    expect(html).toContain('Blur &lt;helps&gt;.');
    expect(html).toContain('<td class="num">0.003</td>');
    expect(html).toContain('<td class="num">n/a</td>');
    expect(html).toContain('<th class="nowrap">p-value</th>');
    expect(html).toContain('<div class="table-wrap"><table class="plain">');
  });

  it('inlines charts and embeds raster figures at their natural sizes', () => {
    expect(html).toMatch(/<figure class="svg-figure" data-file="chart.svg" style="width:480px"><svg /);
    expect(html).toMatch(/<figure class="raster" data-file="grid.png" style="width:40px"><img class="figure" alt="a grid" width="40" height="30" src="data:image\/png;base64,/);
    expect(html).toContain('<figure class="missing" data-file="gone.png">');
  });

  it('links each section from a contents line', () => {
    const id = /<section class="experiment" id="([^"]+)">/.exec(html)?.[1];
    expect(id).toBe('s1-shift-plain-vs-anti-aliased-cnn');
    expect(html).toContain(`<a href="#${id}">Shift: plain vs anti-aliased CNN</a>`);
  });
});
