import type { ResolvedConf } from "./conf.js";
import type { Table } from "./table.js";

const PALETTE = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5", "#9c6b4e", "#9498a0"];

/**
 * A self-contained HTML page (inline SVG, no scripts, no network) comparing models per task group: one
 * grouped bar chart per group, with the exact numbers in a table under it and in each bar's tooltip.
 */
export function renderChart(table: Table, conf: ResolvedConf, title = "sweval: model comparison"): string {
  const groups = new Map<string, number[]>();
  for (const column of conf.columns) {
    if (!table.columns.includes(column.name)) continue;
    const list = groups.get(column.group) ?? [];
    list.push(table.columns.indexOf(column.name));
    groups.set(column.group, list);
  }
  const labels = table.rows.map((row) => (row.customSettings ? `${row.model} [${row.customSettings}]` : row.model));
  const legend = labels
    .map(
      (label, i) =>
        `<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/></svg> ${escapeHtml(label)}</li>`,
    )
    .join("");
  const sections = [...groups.entries()]
    .filter(([, columns]) => columns.some((c) => table.rows.some((row) => row.cells[c] !== null && row.cells[c] !== undefined)))
    .map(([group, columns]) => renderGroup(group, columns, table, labels))
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, "Noto Sans CJK JP", sans-serif; margin: 2rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2.5rem; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; }
table { border-collapse: collapse; font-size: .8rem; margin-top: .5rem; }
th, td { border: 1px solid #ddd; padding: .2rem .5rem; text-align: right; } th:first-child, td:first-child { text-align: left; }
svg text { font-size: 11px; fill: #333; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${table.rows.length} model(s), ${table.columns.length} columns of ${escapeHtml(conf.name)}. Bars are scaled per group; missing values are marked n/a.</p>
<ul class="legend">${legend}</ul>
${sections}
</body>
</html>
`;
}

function renderGroup(group: string, columns: number[], table: Table, labels: string[]): string {
  const values = columns.flatMap((c) => table.rows.map((row) => Number(row.cells[c] ?? Number.NaN))).filter((v) => Number.isFinite(v));
  const max = Math.max(1, ...values);
  const barWidth = 14;
  const gap = 18;
  const clusterWidth = table.rows.length * barWidth + gap;
  const height = 180;
  const top = 16;
  const bottom = 110;
  // Rotated column names hang to the left of their bars; leave room for the longest.
  const longest = Math.max(...columns.map((c) => (table.columns[c] ?? "").length));
  const left = 40 + Math.min(220, Math.round(longest * 4.6));
  const width = left + columns.length * clusterWidth + 10;
  const bars: string[] = [];
  const names: string[] = [];
  for (const [position, column] of columns.entries()) {
    const x0 = left + position * clusterWidth;
    for (const [r, row] of table.rows.entries()) {
      const raw = row.cells[column];
      const x = x0 + r * barWidth;
      if (raw === null || raw === undefined) {
        bars.push(`<text class="na" x="${x + 2}" y="${top + height - 4}" transform="rotate(-90 ${x + 10} ${top + height - 4})">n/a</text>`);
        continue;
      }
      const value = Number(raw);
      const h = Math.max(1, (value / max) * height);
      bars.push(
        `<rect class="bar" x="${x}" y="${(top + height - h).toFixed(1)}" width="${barWidth - 2}" height="${h.toFixed(1)}" fill="${PALETTE[r % PALETTE.length]}"><title>${escapeHtml(labels[r] ?? "")} · ${escapeHtml(table.columns[column] ?? "")}: ${escapeHtml(raw)}</title></rect>`,
      );
    }
    const cx = x0 + (table.rows.length * barWidth) / 2;
    names.push(
      `<text x="${cx}" y="${top + height + 12}" text-anchor="end" transform="rotate(-40 ${cx} ${top + height + 12})">${escapeHtml(table.columns[column] ?? "")}</text>`,
    );
  }
  const axis = [0, 0.5, 1].map((f) => {
    const y = top + height - f * height;
    return `<line x1="${left - 4}" x2="${width}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${Number((f * max).toFixed(2))}</text>`;
  });
  const head = `<tr><th>model</th>${columns.map((c) => `<th>${escapeHtml(table.columns[c] ?? "")}</th>`).join("")}</tr>`;
  const body = table.rows
    .map(
      (row, r) =>
        `<tr><td>${escapeHtml(labels[r] ?? "")}</td>${columns.map((c) => `<td>${escapeHtml(row.cells[c] ?? "n/a")}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<section data-group="${escapeHtml(group)}">
<h2>${escapeHtml(group)}</h2>
<svg role="img" aria-label="${escapeHtml(group)}" width="${width}" height="${top + height + bottom}" viewBox="0 0 ${width} ${top + height + bottom}">
${axis.join("\n")}
${bars.join("\n")}
${names.join("\n")}
</svg>
<table>${head}${body}</table>
</section>`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
