import type {TableEntry} from './options/table.js'
import {formatGoValue} from './opts/go.js'

// What --help's text is made of, free of oclif: used by the oclif help class (src/help.ts), the
// build that renders help text ahead of time, and the fast --help that fills it in (src/help-fast.ts).

/** pflag's "(default X)" suffix: strings quoted, zero values omitted (§2.3). */
export function defaultSuffix(entry: Pick<TableEntry, 'defaultHelp' | 'kind'>, value: unknown): string {
  if (entry.defaultHelp) return ` (default ${entry.kind === 'string' ? JSON.stringify(entry.defaultHelp) : entry.defaultHelp})`
  if (value === undefined || value === null || value === false || value === '' || value === 0) return ''
  if (Array.isArray(value) && value.length === 0) return ''
  if (entry.kind === 'string') return ` (default ${JSON.stringify(value)})`
  return ` (default ${formatGoValue(value)})`
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(/ +/)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line)
        line = word
      } else line = line ? `${line} ${word}` : word
    }

    lines.push(line)
  }

  return lines
}

/**
 * Two columns, words wrapped to the width: what oclif's renderList does, without its per-line
 * ANSI-aware width measuring, which costs ~45 ms for dockerd's ~100 flags (a third of --help).
 */
export function renderRows(input: Array<[string, string | undefined]>, maxWidth: number, indentation: number, spacer = '\n'): string {
  if (input.length === 0) return ''
  const visible = (s: string) => s.replaceAll(/\x1B\[[0-9;]*m/g, '').length
  const col = Math.max(...input.map(([left]) => visible(left ?? ''))) + 2
  const avail = Math.max(20, maxWidth - indentation - col)
  const out: string[] = []
  for (const [left = '', right = ''] of input) {
    const lines = wrapWords(right.trim(), avail)
    out.push(left + ' '.repeat(col - visible(left)) + (lines[0] ?? ''))
    for (const line of lines.slice(1)) out.push(' '.repeat(col) + line)
  }

  return out.map((l) => l.trimEnd()).join(spacer)
}

/** oclif's help width (@oclif/core screen.js): OCLIF_COLUMNS, else a TTY's width (40 at least), else 80. */
export function helpWidth(env: NodeJS.ProcessEnv = process.env, stdout: NodeJS.WriteStream = process.stdout): number {
  const columns = Number.parseInt(env.OCLIF_COLUMNS ?? '', 10)
  if (columns) return columns
  if (!stdout.isTTY) return 80
  const width = stdout.getWindowSize()[0]
  return width < 1 ? 80 : Math.max(40, width)
}
