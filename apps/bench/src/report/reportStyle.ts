/**
 * The stylesheet of report.html: readable measure and type, tables that scroll inside their box rather than
 * widen the page, figures at their natural sizes, and verdict colours from the Okabe–Ito palette (each verdict
 * also carries its own mark, so colour is never the only cue).
 */
export const REPORT_CSS = `
:root { --text: #1f2328; --muted: #59636e; --rule: #d1d9e0; --soft: #f6f8fa; --blue: #0072B2; --green: #007a57; --red: #b34700; --amber: #8a6100; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--text); background: #fff; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 28px 64px; }
header h1 { font-size: 26px; line-height: 1.25; margin: 8px 0 14px; letter-spacing: -0.01em; }
h2 { font-size: 21px; line-height: 1.3; margin: 44px 0 12px; padding-top: 18px; border-top: 1px solid var(--rule); }
p { margin: 10px 0; max-width: 80ch; }
code { font: 0.88em/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--soft); border: 1px solid #e6eaef; border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
a { color: var(--blue); }
.summary { background: #f3f8fc; border: 1px solid #cfe3f1; border-left: 5px solid var(--blue); border-radius: 6px; padding: 12px 18px 6px; margin: 0 0 18px; }
.summary p.lead { font-size: 17.5px; line-height: 1.5; margin: 2px 0 10px; max-width: none; }
.summary .table-wrap { margin: 8px 0 10px; }
.summary table { background: #fff; }
.verdict { font-weight: 600; white-space: nowrap; }
.v-yes { color: var(--green); } .v-no { color: var(--red); } .v-maybe { color: var(--amber); }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 12px 0 16px; }
table { border-collapse: collapse; font-size: 14.5px; line-height: 1.45; }
th, td { border: 1px solid var(--rule); padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
th.nowrap { white-space: nowrap; }
td { overflow-wrap: break-word; max-width: 56ch; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.verdicts td:first-child { min-width: 30ch; }
.toc { margin: 22px 0 0; padding: 10px 14px; background: var(--soft); border-radius: 6px; font-size: 14.5px; }
.toc span { font-weight: 600; margin-right: 6px; }
.toc ol { display: inline; margin: 0; padding: 0; list-style: none; }
.toc li { display: inline; }
.toc li + li::before { content: " · "; color: var(--muted); }
.figures { display: flex; flex-wrap: wrap; gap: 20px 28px; align-items: flex-start; margin: 16px 0; }
figure { margin: 0; max-width: 100%; }
figure svg, figure img { display: block; max-width: 100%; height: auto; }
figure.raster img { border: 1px solid #e1e4e8; }
img.pixelated { image-rendering: pixelated; }
figcaption { font-size: 13.5px; line-height: 1.4; color: var(--muted); margin-top: 6px; }
figcaption .note { white-space: nowrap; }
figure.missing div { padding: 24px; border: 1px dashed var(--red); color: var(--red); }
`;
