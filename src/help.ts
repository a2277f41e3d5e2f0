import {CommandHelp, Help} from '@oclif/core/help'
import type {Command} from '@oclif/core/command'

import {defaultSuffix, renderRows} from './help-layout.js'
import {isMultiple} from './options/argv.js'
import {optionTable} from './options/index.js'
import {typeWord} from './options/table.js'
import {defaultsContext} from './platform/paths.js'
import {targetPlatform} from './platform/target.js'

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
        : {...base, helpValue: typeWord(entry), multiple: isMultiple(entry), type: 'option'}
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

  override renderList(input: Array<[string, string | undefined]>, opts: {indentation: number; spacer?: string}): string {
    return renderRows(input, this.opts.maxWidth, opts.indentation, opts.spacer)
  }

  protected override usage(): string {
    // A single-command CLI's id is '' and oclif renders "dockerd  [OPTIONS]".
    return super.usage().replace(`${this.config.bin}  `, `${this.config.bin} `)
  }
}

export default class DockerdHelp extends Help {
  protected override CommandHelpClass = DockerdCommandHelp

  override formatCommand(command: Command.Loadable): string {
    // The one command has no COMMANDS section of its own: `plugins` is routed before oclif sees it.
    const commands = this.section('COMMANDS', this.renderList([[`${this.config.bin} plugins`, 'Manage plugins: install, link, ls, uninstall']], {indentation: 2}))
    return `${super.formatCommand({...command, flags: helpFlags()})}\n\n${commands}`
  }
}
