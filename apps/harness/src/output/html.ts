import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { flattenStats } from '../measure/counters.js'
import type { ComparisonReport } from '../schema.js'
import { bestRows, byWorkload, cell, columnsFor, legend } from './columns.js'

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

let chartJs: string | undefined

/** Chart.js's minified UMD build, read from node_modules (inlined so the report opens offline). */
function chartLibrary(): string {
  if (chartJs === undefined) {
    const require = createRequire(import.meta.url)
    chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8')
  }
  return chartJs
}

/** The data the page's script draws from: only what the charts need. */
function chartData(report: ComparisonReport) {
  return {
    workloads: byWorkload(report).map(([id, rows]) => ({
      id,
      pressure: rows.some((r) => r.pressure !== undefined),
      stacks: rows.map((r) => ({
        stack: r.stack,
        baseline: r.baseline,
        pareto: r.pareto,
        ratio: r.ratio,
        storeMBps: r.storeMBps,
        loadCdf: r.loadCdf,
        poolTimeline: r.pressure?.poolTimeline ?? [],
        limitPages: r.pressure?.limitPages ?? 0,
      })),
    })),
    sweeps: report.sweeps.map((s) => ({
      ...s,
      series: byWorkload(report).map(([id, rows]) => ({
        workload: id,
        ratio: s.stacks.map((name) => rows.find((r) => r.stack === name)?.ratio ?? null),
        storeMBps: s.stacks.map((name) => rows.find((r) => r.stack === name)?.storeMBps ?? null),
      })),
    })),
  }
}

function tables(report: ComparisonReport): string {
  const out: string[] = []
  for (const [workload, rows] of byWorkload(report)) {
    const columns = columnsFor(rows)
    const best = bestRows(rows, columns)
    out.push(`<h3>${esc(workload)}</h3><table><thead><tr><th>stack</th>`)
    out.push(columns.map((c) => `<th>${esc(c.head)}</th>`).join(''), '<th>integrity</th></tr></thead><tbody>')
    rows.forEach((r, i) => {
      out.push(`<tr${r.baseline ? ' class="baseline"' : ''}><td>${r.pareto ? '◆ ' : ''}${esc(r.stack)}</td>`)
      out.push(
        columns
          .map((c, j) => `<td class="num${best[j].has(i) ? ' best' : ''}">${esc(cell(c, r))}</td>`)
          .join(''),
      )
      out.push(`<td>${r.integrity.ok ? 'ok' : '<strong>FAILED</strong>'}</td></tr>`)
    })
    out.push('</tbody></table>')
    // Every zswap counter that is not zero in some row.
    const names = [...new Set(rows.flatMap((r) => Object.keys(r.counters)))].filter((n) =>
      rows.some((r) => (r.counters[n] ?? 0) !== 0),
    )
    if (names.length > 0) {
      out.push('<details><summary>zswap counters</summary><table><thead><tr><th>counter</th>')
      out.push(rows.map((r) => `<th>${esc(r.stack)}</th>`).join(''), '</tr></thead><tbody>')
      for (const n of names) {
        out.push(`<tr><td>${esc(n)}</td>`)
        out.push(
          rows.map((r) => `<td class="num">${(r.counters[n] ?? 0).toLocaleString('en-US')}</td>`).join(''),
        )
        out.push('</tr>')
      }
      out.push('</tbody></table></details>')
    }
    // The accelerator's (or compressor's) own stats, flattened.
    for (const r of rows) {
      if (r.driverStats === null || typeof r.driverStats !== 'object') continue
      const stats = [...flattenStats(r.driverStats)]
      if (stats.length === 0) continue
      out.push(`<details><summary>${esc(r.stack)}: driver stats</summary><table><tbody>`)
      for (const [k, v] of stats)
        out.push(`<tr><td>${esc(k)}</td><td class="num">${v.toLocaleString('en-US')}</td></tr>`)
      out.push('</tbody></table></details>')
    }
  }
  return out.join('')
}

// Runs in the browser: draws the charts from the inlined data with Chart.js.
const PAGE_SCRIPT = `
const data = JSON.parse(document.getElementById('report-data').textContent)
const palette = ['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#17becf','#bcbd22','#7f7f7f']
Chart.defaults.animation = false
Chart.defaults.responsive = false
Chart.defaults.devicePixelRatio = 1
const charts = document.getElementById('charts')
// Log-axis labels at 1, 2, 5 × 10^n only (1k for 1000).
function logTick(v) {
  const m = v / 10 ** Math.floor(Math.log10(v))
  if (Math.abs(m - Math.round(m)) > 1e-6 || ![1, 2, 5].includes(Math.round(m))) return ''
  return v >= 1000 ? v / 1000 + 'k' : String(v)
}
function canvas(title) {
  const fig = document.createElement('figure')
  const cap = document.createElement('figcaption')
  cap.textContent = title
  const c = document.createElement('canvas')
  c.width = 600
  c.height = 380
  c.className = 'chart'
  fig.append(cap, c)
  charts.append(fig)
  return c
}
for (const w of data.workloads) {
  const stacks = w.stacks.filter((s) => !s.baseline)
  const front = stacks.filter((s) => s.pareto).sort((a, b) => a.storeMBps - b.storeMBps)
  new Chart(canvas('Compression ratio vs store MB/s: ' + w.id), {
    type: 'scatter',
    data: {
      datasets: [
        ...stacks.map((s, i) => ({
          label: s.stack, data: [{ x: s.storeMBps, y: s.ratio }],
          backgroundColor: palette[i % palette.length], pointRadius: s.pareto ? 7 : 5,
          pointStyle: s.pareto ? 'rectRot' : 'circle',
        })),
        { label: 'Pareto front', type: 'line', data: front.map((s) => ({ x: s.storeMBps, y: s.ratio })),
          borderColor: '#444', borderDash: [6, 4], pointRadius: 0, fill: false },
      ],
    },
    options: { scales: { x: { title: { display: true, text: 'store MB/s' } }, y: { title: { display: true, text: 'compression ratio' } } } },
  })
  new Chart(canvas('Load latency CDF per folio: ' + w.id), {
    type: 'line',
    data: {
      datasets: w.stacks.map((s, i) => ({
        label: s.stack, data: s.loadCdf.map(([x, y]) => ({ x, y: y * 100 })),
        borderColor: palette[i % palette.length], pointRadius: 0, stepped: true,
      })),
    },
    options: { scales: { x: { type: 'logarithmic', title: { display: true, text: 'load latency µs (log)' },
                              ticks: { autoSkip: false, maxRotation: 0, callback: logTick } },
                         y: { min: 0, max: 100, title: { display: true, text: '% of loads at or below' } } } },
  })
  if (w.pressure) {
    new Chart(canvas('Pool size over time under pressure: ' + w.id), {
      type: 'line',
      data: {
        datasets: stacks.map((s, i) => ({
          label: s.stack, data: s.poolTimeline.map(([x, y]) => ({ x, y })),
          borderColor: palette[i % palette.length], pointRadius: 0,
        })).concat([{ label: 'pool limit', data: stacks.length ? [{ x: 0, y: stacks[0].limitPages },
          { x: Math.max(...stacks.flatMap((s) => s.poolTimeline.map(([x]) => x))), y: stacks[0].limitPages }] : [],
          borderColor: '#000', borderDash: [4, 4], pointRadius: 0 }]),
      },
      options: { scales: { x: { type: 'linear', title: { display: true, text: 'ms since start' } },
                           y: { title: { display: true, text: 'pool pages' } } } },
    })
  }
}
for (const s of data.sweeps) {
  const datasets = []
  s.series.forEach((w, i) => {
    datasets.push({ label: 'ratio, ' + w.workload, data: w.ratio, yAxisID: 'ratio', borderColor: palette[(2 * i) % palette.length] })
    datasets.push({ label: 'store MB/s, ' + w.workload, data: w.storeMBps, yAxisID: 'speed', borderDash: [5, 3], borderColor: palette[(2 * i + 1) % palette.length] })
  })
  new Chart(canvas('Sweep: ' + s.spec), {
    type: 'line',
    data: { labels: s.values, datasets },
    options: { scales: { ratio: { position: 'left', title: { display: true, text: 'compression ratio' } },
                         speed: { position: 'right', title: { display: true, text: 'store MB/s' }, grid: { drawOnChartArea: false } } } },
  })
}
document.body.dataset.charts = String(Chart.instances ? Object.keys(Chart.instances).length : 0)
`

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
#charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; border: 1px solid #ddd; padding: .5em; }
figcaption { font-weight: 600; margin-bottom: .3em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: .2em .5em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.best { font-weight: 700; background: #e8f5e9; }
tr.baseline { color: #666; font-style: italic; }
.meta { color: #555; }
`

/**
 * One self-contained HTML file: the data and Chart.js inlined, so it opens
 * offline. Charts: ratio vs store MB/s with the Pareto front, load-latency
 * CDFs, pool size over time (pressure), one chart per sweep; under them the
 * tables, readable without JavaScript.
 */
export function formatHtml(report: ComparisonReport): string {
  const json = JSON.stringify(chartData(report)).replace(/</g, '\\u003c')
  const m = report.machine
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zswap-harness report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body>
<h1>zswap-harness report</h1>
<p class="meta">${esc(report.createdAt)} · ${esc(m.cpuModel)} × ${m.cpus} · Node ${esc(m.node)} · ${esc(report.tool.name)} ${esc(report.tool.version)} · schema ${report.schemaVersion}</p>
<div id="charts"></div>
<h2>Results</h2>
${tables(report)}
<p class="legend">${legend(report).split('\n').map(esc).join('<br>')}</p>
<script id="report-data" type="application/json">${json}</script>
<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`
}
