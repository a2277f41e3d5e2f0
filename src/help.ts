import {CommandHelp, Help} from '@oclif/core/help'
import type {Command} from '@oclif/core/command'

import {isMultiple} from './options/argv.js'
import {optionTable} from './options/index.js'
import {typeWord, type TableEntry} from './options/table.js'
import {defaultsContext} from './platform/paths.js'
import {targetPlatform} from './platform/target.js'
import {formatGoValue} from './opts/go.js'

/** pflag's "(default X)" suffix: strings quoted, zero values omitted (§2.3). */
export function defaultSuffix(entry: TableEntry, value: unknown): string {
  if (entry.defaultHelp) return ` (default ${entry.kind === 'string' ? JSON.stringify(entry.defaultHelp) : entry.defaultHelp})`
  if (value === undefined || value === null || value === false || value === '' || value === 0) return ''
  if (Array.isArray(value) && value.length === 0) return ''
  if (entry.kind === 'string') return ` (default ${JSON.stringify(value)})`
  return ` (default ${formatGoValue(value)})`
}

/** The flags to document, from the live option table for the target OS (built-ins and plugins). */
export function helpFlags(): Record<string, Command.Flag.Cached> {
  const platform = targetPlatform()
  const ctx = defaultsContext(platform)
  const flags: Record<string, Command.Flag.Cached> = {}
  for (const entry of optionTable(platform).entries) {
    if (entry.fileOnly) continue
    const description = entry.description + defaultSuffix(entry, entry.default?.(ctx))
    const base = {char: entry.char as 'a' | undefined, description, helpGroup: entry.group, hidden: entry.hidden ?? false, name: entry.name}
    flags[entry.name] =
      entry.kind === 'bool'
        ? {...base, allowNo: false, type: 'boolean'}
        : {...base, helpValue: typeWord(entry.kind), multiple: isMultiple(entry), type: 'option'}
  }

  return flags
}

class DockerdCommandHelp extends CommandHelp {
  constructor(...args: ConstructorParameters<typeof CommandHelp>) {
    super(...args)
    // oclif runs every help string through ejs (~12 ms for ~100 flags); ours have no templates.
    const render = this.render
    this.render = (text: string) => (text.includes('<%') ? render(text) : text)
  }

  /** Groups in the table's order (common, daemon, this OS's sets, then plugins), not first-seen. */
  protected override groupFlags(flags: Array<Command.Flag.Any>): {flagGroups: Record<string, Array<Command.Flag.Any>>; mainFlags: Array<Command.Flag.Any>} {
    const {flagGroups, mainFlags} = super.groupFlags(flags)
    const order = optionTable(targetPlatform()).groups
    const rank = (g: string) => (order.includes(g) ? order.indexOf(g) : order.length)
    const sorted = Object.keys(flagGroups).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    return {flagGroups: Object.fromEntries(sorted.map((g) => [g, flagGroups[g]])), mainFlags}
  }

  /**
   * Two columns, words wrapped to the width: what oclif's renderList does, without its per-line
   * ANSI-aware width measuring, which costs ~45 ms for dockerd's ~100 flags (a third of --help).
   */
  override renderList(input: Array<[string, string | undefined]>, opts: {indentation: number; spacer?: string}): string {
    if (input.length === 0) return ''
    const visible = (s: string) => s.replaceAll(/\x1B\[[0-9;]*m/g, '').length
    const col = Math.max(...input.map(([left]) => visible(left ?? ''))) + 2
    const avail = Math.max(20, this.opts.maxWidth - opts.indentation - col)
    const out: string[] = []
    for (const [left = '', right = ''] of input) {
      const lines = wrapWords(right.trim(), avail)
      out.push(left + ' '.repeat(col - visible(left)) + (lines[0] ?? ''))
      for (const line of lines.slice(1)) out.push(' '.repeat(col) + line)
    }

    return out.map((l) => l.trimEnd()).join(opts.spacer ?? '\n')
  }

  protected override usage(): string {
    // A single-command CLI's id is '' and oclif renders "dockerd  [OPTIONS]".
    return super.usage().replace(`${this.config.bin}  `, `${this.config.bin} `)
  }
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
function wrapWords(text: string, width: number): string[] {
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

export default class DockerdHelp extends Help {
  protected override CommandHelpClass = DockerdCommandHelp

  override formatCommand(command: Command.Loadable): string {
    // The one command has no COMMANDS section of its own: `plugins` is routed before oclif sees it.
    const commands = this.section('COMMANDS', this.renderList([[`${this.config.bin} plugins`, 'Manage plugins: install, link, ls, uninstall']], {indentation: 2}))
    return `${super.formatCommand({...command, flags: helpFlags()})}\n\n${commands}`
  }
}
