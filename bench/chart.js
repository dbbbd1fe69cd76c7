'use strict'
// bench/chart.js — owns the self-contained HTML report (bench/results/latest.html): inline SVG
// charts of throughput per workload per engine and of latency percentiles (p50 / p99 / p99.9 on
// a log axis), then the probe's physical limits, the durability of each engine's writes and the
// detail table. No scripts, no external assets: it renders from a file:// URL or as a CI artifact.

const { fmtInt, fmtBytes, fmtUs } = require('./util')

const COLORS = { lsmkv: '#e4572e', 'classic-level': '#4c78a8', rocksdb: '#54a24b', lmdb: '#b279a2' }
const FALLBACK = ['#f2a541', '#6c8ead', '#8c564b']
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

function colorOf (names) {
  const map = {}
  names.forEach((n, i) => { map[n] = COLORS[n] || FALLBACK[i % FALLBACK.length] })
  return map
}

const fmtOps = (x) => x >= 1e6 ? (x / 1e6).toFixed(2) + ' M' : x >= 1e3 ? (x / 1e3).toFixed(1) + ' k' : x.toFixed(0)

const W = 1320
const ROW = 17

// Throughput: one block per workload (its title on a line of its own), bars scaled to the
// workload's best engine.
function throughputSvg (json, names, color) {
  const labelW = 110
  const plotW = W - labelW - 110
  const parts = []
  let y = 4
  for (const w of json.workloads) {
    const rs = names.map((n) => json.engines[n].workloads?.[w.name])
    const max = Math.max(0, ...rs.map((r) => r?.opsPerSec ?? 0))
    const peers = names.map((n, i) => (n !== 'lsmkv' ? rs[i]?.opsPerSec ?? 0 : 0))
    const bestPeer = Math.max(0, ...peers)
    const mine = json.engines.lsmkv?.workloads?.[w.name]?.opsPerSec
    const ratio = mine && bestPeer ? mine / bestPeer : null
    parts.push(`<text x="0" y="${y + 13}" class="wl">${esc(w.label)}` +
      (ratio !== null ? `<tspan dx="14" class="ratio ${ratio >= 1 ? 'good' : 'bad'}">lsmkv / best peer: ${ratio.toFixed(2)}x</tspan>` : '') + '</text>')
    y += 18
    names.forEach((n, i) => {
      const r = rs[i]
      const by = y + i * ROW
      parts.push(`<text x="${labelW - 8}" y="${by + 12}" class="eng" text-anchor="end">${esc(n)}</text>`)
      if (!r || r.opsPerSec === undefined) {
        parts.push(`<text x="${labelW + 4}" y="${by + 12}" class="na">${r?.skipped ? 'n/a: ' + esc(r.skipped) : r?.error ? 'failed' : 'not run'}</text>`)
        return
      }
      const bw = max > 0 ? Math.max(1, plotW * r.opsPerSec / max) : 1
      parts.push(`<rect x="${labelW}" y="${by + 2}" width="${bw.toFixed(1)}" height="${ROW - 4}" fill="${color[n]}"/>`)
      parts.push(`<text x="${(labelW + bw + 6).toFixed(1)}" y="${by + 12}" class="val">${fmtOps(r.opsPerSec)}/s${r.error ? ' (!)' : ''}</text>`)
    })
    y += names.length * ROW + 12
    parts.push(`<line x1="0" x2="${W}" y1="${y - 6}" y2="${y - 6}" class="sep"/>`)
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}">${parts.join('')}</svg>`
}

// Latency: p50 (circle), p99 (square), p99.9 (diamond) on one shared log axis.
function latencySvg (json, names, color) {
  const all = []
  for (const w of json.workloads) {
    for (const n of names) {
      const l = json.engines[n].workloads?.[w.name]?.latency
      if (l) all.push(l.p50Us, l.p999Us)
    }
  }
  if (!all.length) return '<p>no latency samples</p>'
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(...all)))))
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))))
  const x0 = 110
  const plotW = W - x0 - 230 // room for the p50 / p99 / p99.9 text right of the last marker
  const X = (us) => x0 + plotW * (Math.log10(Math.max(us, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
  const parts = []
  const top = 24
  let y = top
  const blocks = []
  for (const w of json.workloads) {
    const unit = names.map((n) => json.engines[n].workloads?.[w.name]?.latency?.unit).find(Boolean)
    blocks.push({ w, unit, y })
    y += 16 + names.length * ROW + 8
  }
  // decade grid
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const x = X(d)
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top - 6}" y2="${y}" class="grid"/>`)
    parts.push(`<text x="${x.toFixed(1)}" y="${top - 10}" class="axis" text-anchor="middle">${fmtUs(d)}</text>`)
    for (let k = 2; k < 10 && d * k < hi; k++) {
      const xm = X(d * k)
      parts.push(`<line x1="${xm.toFixed(1)}" x2="${xm.toFixed(1)}" y1="${top}" y2="${y}" class="minor"/>`)
    }
  }
  for (const { w, unit, y: by0 } of blocks) {
    parts.push(`<text x="0" y="${by0 + 12}" class="wl">${esc(w.name)}${unit ? ' — per ' + esc(unit) : ''}</text>`)
    names.forEach((n, i) => {
      const l = json.engines[n].workloads?.[w.name]?.latency
      const cy = by0 + 16 + i * ROW + 8
      parts.push(`<text x="${x0 - 8}" y="${cy + 4}" class="eng" text-anchor="end">${esc(n)}</text>`)
      if (!l) return
      const [a, b, c] = [X(l.p50Us), X(l.p99Us), X(l.p999Us)]
      const col = color[n]
      parts.push(`<line x1="${a.toFixed(1)}" x2="${c.toFixed(1)}" y1="${cy}" y2="${cy}" stroke="${col}" stroke-width="2"/>`)
      parts.push(`<circle cx="${a.toFixed(1)}" cy="${cy}" r="5" fill="${col}"><title>p50 ${fmtUs(l.p50Us)}</title></circle>`)
      parts.push(`<rect x="${(b - 4.5).toFixed(1)}" y="${cy - 4.5}" width="9" height="9" fill="${col}"><title>p99 ${fmtUs(l.p99Us)}</title></rect>`)
      parts.push(`<path d="M${c.toFixed(1)},${cy - 6} l6,6 l-6,6 l-6,-6 z" fill="${col}"><title>p99.9 ${fmtUs(l.p999Us)}</title></path>`)
      parts.push(`<text x="${(c + 10).toFixed(1)}" y="${cy + 4}" class="lat">${fmtUs(l.p50Us)} / ${fmtUs(l.p99Us)} / ${fmtUs(l.p999Us)}</text>`)
    })
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 4}" viewBox="0 0 ${W} ${y + 4}">${parts.join('')}</svg>`
}

function legend (names, color) {
  return '<div class="legend">' + names.map((n) => `<span><i style="background:${color[n]}"></i>${esc(n)}</span>`).join('') + '</div>'
}

function detailRows (json, names) {
  const rows = []
  for (const w of json.workloads) {
    for (const n of names) {
      const r = json.engines[n].workloads?.[w.name]
      if (!r || r.opsPerSec === undefined) continue
      const l = r.latency || {}
      rows.push(`<tr><td>${esc(w.name)}</td><td><i class="dot" style="background:${COLORS[n] || '#999'}"></i>${esc(n)}</td>` +
        `<td>${fmtInt(r.opsPerSec)}</td><td>${esc(l.unit || '-')}${l.stride > 1 ? ` (1/${l.stride})` : ''}</td>` +
        `<td>${fmtUs(l.p50Us)}</td><td>${fmtUs(l.p99Us)}</td><td>${fmtUs(l.p999Us)}</td>` +
        `<td>${fmtUs(r.cpuPerOpUs)}</td><td>${(100 * r.cpuMs / r.elapsedMs).toFixed(0)}%</td><td>${r.peakRssMiB} MiB</td><td>${(r.peakRssMiB - r.rssStartMiB).toFixed(1)} MiB</td>` +
        `<td>${fmtBytes(r.diskWriteBytes)}</td><td>${r.writeAmp !== undefined ? r.writeAmp.toFixed(2) : '-'}</td>` +
        `<td>${r.dirBytes !== undefined ? fmtBytes(r.dirBytes) : '-'}</td><td class="err">${r.error ? esc(r.error.split('\n')[0]) : ''}</td></tr>`)
    }
  }
  return rows.join('\n')
}

function probeHtml (json) {
  const p = json.probe
  if (!p) return '<p>not probed (--no-probe)</p>'
  const items = [`disk sequential write: <b>${p.disk.mbPerSec.toFixed(0)} MB/s</b> (256 MiB of 1 MiB write()s + fdatasync)`]
  for (const s of p.sync) {
    items.push(`pwrite ${s.size} B + fdatasync (a group of ${s.group} put${s.group > 1 ? 's' : ''}): p50 <b>${fmtUs(s.p50Us)}</b>, p99 ${fmtUs(s.p99Us)}, mean ${fmtUs(s.meanUs)}`)
  }
  items.push(p.napi.skipped
    ? `N-API call: not measured (${esc(p.napi.skipped)})`
    : `N-API call: empty <b>${fmtUs(p.napi.emptyNs / 1000)}</b>, reading one Buffer argument ${fmtUs(p.napi.oneArgNs / 1000)}`)
  items.push(`memcpy (Buffer.copy): <b>${p.memcpy.gbPerSec.toFixed(1)} GB/s</b> for 64 MiB; ${fmtUs(p.memcpy.copy100Ns / 1000)} per 100 B copy`)
  const lim = Object.entries(json.limits || {}).map(([k, l]) => `<tr><td>${esc(k)}</td><td>${fmtInt(l.opsPerSec)}</td><td>${esc(l.how)}</td></tr>`).join('')
  return `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>
<table class="small"><tr><th>limit</th><th>ops/s</th><th>derived from</th></tr>${lim}</table>`
}

function summaryHtml (json, names) {
  const peers = names.filter((n) => n !== 'lsmkv')
  const head = `<tr><th>workload</th><th>writes</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}` +
    (names.includes('lsmkv') && peers.length ? '<th>lsmkv / best peer</th>' : '') +
    (names.includes('lsmkv') ? '<th>lsmkv % of limit</th>' : '') + '</tr>'
  const rows = json.workloads.map((w) => {
    const cells = names.map((n) => {
      const r = json.engines[n].workloads?.[w.name]
      return `<td>${!r ? '-' : r.skipped ? 'n/a' : r.opsPerSec === undefined ? 'failed' : fmtInt(r.opsPerSec) + (r.error ? ' (!)' : '')}</td>`
    }).join('')
    const mine = json.engines.lsmkv?.workloads?.[w.name]?.opsPerSec
    const best = Math.max(0, ...peers.map((p) => json.engines[p].workloads?.[w.name]?.opsPerSec ?? 0))
    const ratio = mine && best ? mine / best : null
    const l = w.limit && json.limits?.[w.limit]
    return `<tr><td>${esc(w.label)}</td><td>${w.durability ?? '-'}</td>${cells}` +
      (names.includes('lsmkv') && peers.length ? `<td class="${ratio === null ? '' : ratio >= 1 ? 'good' : 'bad'}">${ratio === null ? '-' : ratio.toFixed(2) + 'x'}</td>` : '') +
      (names.includes('lsmkv') ? `<td>${mine && l ? (100 * mine / l.opsPerSec).toFixed(1) + '%' : '-'}</td>` : '') + '</tr>'
  }).join('\n')
  return `<table>${head}${rows}</table>`
}

function renderHtml (json) {
  const names = Object.keys(json.engines)
  const color = colorOf(names)
  const c = json.config
  const e = json.env
  const dur = names.map((n) => `<tr><td>${esc(n)}${json.engines[n].version ? ' v' + esc(json.engines[n].version) : ''}</td>` +
    `<td>${esc(json.engines[n].fill)}</td><td>${esc(json.engines[n].fillsync)}</td><td>${esc(json.engines[n].notes)}</td></tr>`).join('')
  const skipped = Object.entries(json.skipped || {}).map(([n, why]) => `<li>${esc(n)} skipped: ${esc(why)}</li>`).join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lsmkv benchmark ${esc(json.date)}</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; max-width: ${W + 40}px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
.meta { color: #555; }
svg text { font: 12px system-ui, sans-serif; fill: #222; }
svg .wl { font-weight: 600; } svg .eng { fill: #444; } svg .val { fill: #222; } svg .na { fill: #999; font-style: italic; }
svg .ratio { font-size: 11px; } svg .good { fill: #1a7f37; } svg .bad { fill: #c62828; }
svg .sep { stroke: #eee; } svg .grid { stroke: #ccc; } svg .minor { stroke: #f2f2f2; } svg .axis { fill: #666; font-size: 11px; }
svg .lat { fill: #555; font-size: 11px; }
.legend span { margin-right: 18px; } .legend i, i.dot { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; margin: 6px 0; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; } th { background: #f6f6f6; }
td.good { color: #1a7f37; font-weight: 600; } td.bad { color: #c62828; font-weight: 600; } td.err { color: #c62828; text-align: left; }
table.small td { font-size: 13px; } table.dur td { text-align: left; vertical-align: top; }
</style></head><body>
<h1>lsmkv benchmark</h1>
<div class="meta">${esc(json.date)} · ${(json.totalSeconds / 60).toFixed(1)} min · N = ${fmtInt(c.n)} keys of ${c.keySize} B ('%016d', ${esc(c.keyForm)}s),
values ${c.valueSize} B (~50% compressible) · batches of ${c.batch} · fillsync ${fmtInt(c.syncN)} puts by 1 writer, ${fmtInt(c.syncGroupN ?? c.syncN)} with ${c.concurrency} in flight ·
reads ${fmtInt(c.reads)} (async: ${c.concurrency} in flight) · readwhilewriting writer ${c.writeRate} puts/s ·
${esc(e.node)}, ${e.cpus} × ${esc(e.cpuModel)}, ${esc(e.platform)} · ${c.inProcess ? 'all engines in one process' : 'one process per engine'}<br>
Reproduce: <code>npm run bench${c.n === 5000000 ? ' -- --large' : c.n !== 1000000 ? ' -- --n ' + c.n : ''}</code></div>
${skipped ? `<ul>${skipped}</ul>` : ''}
<h2>Throughput (ops/s; bars scaled to the fastest engine of each workload)</h2>
${legend(names, color)}
${throughputSvg(json, names, color)}
<h2>Latency percentiles (log scale): ● p50 ■ p99 ◆ p99.9</h2>
<p class="meta">Per op unless the workload says otherwise (per batch, per call of 100 keys, per 1024 scanned entries). Sync per-op workloads time one op in 16, async ones one in 4 (a clock read costs ~100 ns).</p>
${legend(names, color)}
${latencySvg(json, names, color)}
<h2>Summary</h2>
${summaryHtml(json, names)}
<h2>Physical limits of this machine</h2>
${probeHtml(json)}
<h2>Durability of each engine's writes</h2>
<p class="meta">"fill" writes survive a process crash but not a power loss; "sync" writes are durable (fsync) before they are acknowledged.</p>
<table class="dur"><tr><th>engine</th><th>fill (fillseq, fillrandom, overwrite, readwhilewriting's writer)</th><th>sync (fillsync)</th><th>notes</th></tr>${dur}</table>
<h2>Details</h2>
<p class="meta">CPU includes the engines' background threads. Peak RSS is VmHWM over the workload (it includes the harness's prepared keys and values, ~100-250 MiB at N = 1M); RSS growth is the peak less the RSS when the workload started. Disk write is /proc/self/io write_bytes in the timed region; write amplification = (disk write + the engine's background writes until the disk goes quiet after the workload) / (writes × 116 B); dir size after the workload.</p>
<table class="small"><tr><th>workload</th><th>engine</th><th>ops/s</th><th>latency unit</th><th>p50</th><th>p99</th><th>p99.9</th><th>CPU/op</th><th>CPU util</th><th>peak RSS</th><th>RSS growth</th><th>disk write</th><th>w-amp</th><th>dir size</th><th></th></tr>
${detailRows(json, names)}
</table>
</body></html>
`
}

// The throughput chart alone as a standalone SVG file (for the README): its own styles and a title.
const SVG_STYLE = `<style>text { font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; fill: #222; }
.wl { font-weight: 600; } .eng { fill: #444; } .na { fill: #999; font-style: italic; } .ratio { font-size: 11px; }
.good { fill: #1a7f37; } .bad { fill: #c62828; } .sep { stroke: #eee; } .title { font-size: 15px; font-weight: 600; } .meta { fill: #555; }</style>`

function renderSvg (json) {
  const names = Object.keys(json.engines)
  const color = colorOf(names)
  const inner = throughputSvg(json, names, color)
  const m = /height="(\d+)"/.exec(inner)
  const h = Number(m[1]) + 44
  const c = json.config
  const legendX = []
  let x = 0
  for (const n of names) { legendX.push(`<rect x="${x}" y="26" width="12" height="12" fill="${color[n]}"/><text x="${x + 17}" y="37">${esc(n)}</text>`); x += 30 + n.length * 7.5 }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}">${SVG_STYLE}` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="0" y="16" class="title">lsmkv vs peers: ops/s per workload (N = ${fmtInt(c.n)}, ${esc(json.env.cpus + ' x ' + json.env.cpuModel)}, ${esc(json.date.slice(0, 10))})</text>` +
    legendX.join('') +
    `<g transform="translate(0,44)">${inner.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '')}</g></svg>\n`
}

module.exports = { renderHtml, renderSvg }
