// Terminal output of the CLI: byte sizes, the progress bar (drawn on a TTY
// only, on stderr) and the bar chart of the LSM shape for `stats`.

/** 1536 -> '1.5 KiB'. */
export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u] as string}`
}

/** A one-line progress bar redrawn in place; silent unless `stream` is a TTY. */
export class Progress {
  readonly #stream: NodeJS.WriteStream
  readonly #label: string
  readonly #enabled: boolean
  #lastDraw = 0
  #drawn = false

  constructor (stream: NodeJS.WriteStream, label: string) {
    this.#stream = stream
    this.#label = label
    this.#enabled = stream.isTTY === true
  }

  /** `total` undefined: a counter without a bar. */
  update (done: number, total: number | undefined, detail: string, force = false): void {
    if (!this.#enabled) return
    const now = Date.now()
    if (!force && now - this.#lastDraw < 100) return
    this.#lastDraw = now
    const width = 30
    let line = `${this.#label} `
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, done / total)
      const full = Math.round(ratio * width)
      line += `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(ratio * 100).toFixed(0).padStart(3)}% `
    }
    line += detail
    this.#stream.write(`\r${line}\x1b[K`)
    this.#drawn = true
  }

  done (): void {
    if (this.#enabled && this.#drawn) this.#stream.write('\n')
  }
}

export interface LevelShape {
  readonly level: number
  readonly files: number
  readonly bytes: number
}

/** Rows like `L1 ████████▌            12 files   48.0 MiB`, bar length by bytes. */
export function levelChart (levels: readonly LevelShape[], width = 40): string[] {
  const max = Math.max(1, ...levels.map((l) => l.bytes))
  const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']
  return levels.map((l) => {
    const cells = (l.bytes / max) * width
    let bar = '█'.repeat(Math.floor(cells)) + (eighths[Math.floor((cells % 1) * 8)] ?? '')
    if (bar === '' && l.bytes > 0) bar = '▏'
    const files = `${l.files} file${l.files === 1 ? '' : 's'}`
    return `L${l.level} ${bar.padEnd(width)} ${files.padStart(10)} ${formatBytes(l.bytes).padStart(10)}`
  })
}
