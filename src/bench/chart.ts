/**
 * The benchmark's chart as a self-contained SVG: latency and cost against concurrency, one panel
 * each, from the steps of one run. Plain SVG text, no library: a few axes, polylines and labels.
 */
export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  /** one value per x (NaN: no point) */
  values: number[];
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const W = 420;
const H = 300;
const M = { left: 56, right: 16, top: 34, bottom: 84 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** A round upper bound for the axis (1, 2, 5 × 10^n). */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(x0: number, xs: number[], p: Panel): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const all = p.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const ymax = niceMax(Math.max(0, ...all));
  const xAt = (i: number) => x0 + M.left + (xs.length === 1 ? pw / 2 : (i * pw) / (xs.length - 1));
  const yAt = (v: number) => M.top + ph - (v / ymax) * ph;
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  // axes and grid
  for (let k = 0; k <= 4; k++) {
    const v = (ymax * k) / 4;
    const y = yAt(v);
    out.push(`<line x1="${x0 + M.left}" y1="${y}" x2="${x0 + W - M.right}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 + M.left - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  out.push(`<text x="${x0 + 14}" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${M.top + ph / 2})">${esc(p.unit)}</text>`);
  xs.forEach((xv, i) => out.push(`<text x="${xAt(i)}" y="${M.top + ph + 16}" text-anchor="middle">${xv}</text>`));
  out.push(`<text x="${x0 + M.left + pw / 2}" y="${M.top + ph + 32}" text-anchor="middle">calls at once</text>`);
  // series
  p.series.forEach((s, si) => {
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}` : '')).filter(Boolean);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} points="${pts.join(' ')}"/>`);
    for (const pt of pts) {
      const [cx, cy] = pt.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    }
    const ly = M.top + ph + 48 + si * 14;
    out.push(`<line x1="${x0 + M.left}" y1="${ly - 4}" x2="${x0 + M.left + 18}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    out.push(`<text x="${x0 + M.left + 24}" y="${ly}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** One SVG with the panels side by side over the same x values (the concurrency steps). */
export function renderChart(title: string, xs: number[], panels: Panel[]): string {
  const width = W * panels.length;
  const height = H + 24;
  const body = panels.map((p, i) => panel(i * W, xs, p)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle" fill="#555">${esc(title)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
