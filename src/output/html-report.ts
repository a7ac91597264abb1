/**
 * The HTML report as one self-contained page: Chart.js (its UMD build, read from node_modules at run
 * time and inlined), the data as inline JSON, inline styles, no fonts or images to fetch, so it opens
 * without network access. Charts are canvases drawn without animation; tables follow each chart. For
 * print: the charts are resized to the page and sections are not split.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface HtmlChart {
  id: string;
  /** a Chart.js configuration (type, data, options): plain JSON */
  config: Record<string, unknown>;
}

export interface HtmlTable {
  columns: readonly string[];
  rows: readonly object[];
  /** a last row in bold (totals) */
  footer?: object;
  caption?: string;
}

export interface HtmlSection {
  title: string;
  note?: string;
  chart: HtmlChart;
  tables: HtmlTable[];
}

export interface HtmlPage {
  title: string;
  subtitle: string;
  sections: HtmlSection[];
}

let chartJs: string | undefined;

/** Chart.js's minified UMD build (defines `Chart` on the page). */
export function chartLibrary(): string {
  if (chartJs === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = fs.readFileSync(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** JSON that cannot end the script element it sits in (`</script>`, `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return escapeHtml(String(v));
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));
}

function table(t: HtmlTable): string {
  const first = (t.rows[0] ?? {}) as Record<string, unknown>;
  const head = t.columns.map((c) => `<th${isNumeric(first[c]) ? ' class="n"' : ''}>${escapeHtml(c)}</th>`).join('');
  const row = (o: object) => {
    const r = o as Record<string, unknown>;
    return t.columns.map((c) => `<td${isNumeric(r[c]) ? ' class="n"' : ''}>${cell(r[c])}</td>`).join('');
  };
  const body = t.rows.map((r) => `<tr>${row(r)}</tr>`).join('\n');
  const foot = t.footer ? `<tfoot><tr>${row(t.footer)}</tr></tfoot>` : '';
  const caption = t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : '';
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 24px auto; max-width: 1100px; color: #1d2330; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #d0d5de; padding-bottom: 4px; }
.sub, .note, caption { color: #5a6372; }
caption { text-align: left; padding: 4px 0; }
.chart { position: relative; height: 320px; }
table { border-collapse: collapse; width: 100%; margin: 12px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e3e6ec; padding: 3px 8px; text-align: left; }
td.n, th.n { text-align: right; }
thead th { background: #f2f4f8; }
tfoot td { font-weight: 600; border-top: 2px solid #9aa3b2; }
section { break-inside: avoid-page; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  .chart { height: 240px; }
  h2 { break-after: avoid-page; }
  tr { break-inside: avoid; }
}`;

/** Draws every chart once the page is parsed; resizes them for printing. */
const DRAW = `
(function () {
  var specs = JSON.parse(document.getElementById('charts').textContent);
  var charts = [];
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  specs.forEach(function (s) { charts.push(new Chart(document.getElementById(s.id), s.config)); });
  window.addEventListener('beforeprint', function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener('afterprint', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-charts-drawn', String(charts.length));
})();`;

export function renderHtmlPage(page: HtmlPage): string {
  const sections = page.sections
    .map(
      (s) => `<section>
<h2>${escapeHtml(s.title)}</h2>
${s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : ''}
<div class="chart"><canvas id="${escapeHtml(s.chart.id)}" role="img" aria-label="${escapeHtml(s.title)}"></canvas></div>
${s.tables.map(table).join('\n')}
</section>`,
    )
    .join('\n');
  const charts = page.sections.map((s) => s.chart);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p class="sub">${escapeHtml(page.subtitle)}</p>
${sections}
<script id="charts" type="application/json">${scriptJson(charts)}</script>
<script>${chartLibrary()}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}
