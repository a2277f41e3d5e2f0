import {CommandHelp, Help} from '@oclif/core/help'
import type {Command} from '@oclif/core/command'

import {defaultSuffix, renderRows} from '../help-layout.js'
import {isMultiple, isSwitch} from '../options/argv.js'
import type {OptionTable} from '../options/table.js'
import {typeWord} from '../options/table.js'
import {defaultsContext} from '../platform/paths.js'
import {targetPlatform} from '../platform/target.js'
import {installedFlagSets} from '../plugins/registry.js'
import type {DaemonDefinition} from './define.js'

/** The flags to document, from the live option table for the target OS (built-ins and plugins). */
export function helpFlags(table: OptionTable): Record<string, Command.Flag.Cached> {
  const ctx = defaultsContext(targetPlatform())
  const flags: Record<string, Command.Flag.Cached> = {}
  for (const entry of table.entries) {
    if (entry.fileOnly) continue
    const description = entry.description + defaultSuffix(entry, entry.default?.(ctx))
    const base = {char: entry.char as 'a' | undefined, description, helpGroup: entry.group, hidden: entry.hidden ?? false, name: entry.name}
    flags[entry.name] =
      isSwitch(entry)
        ? {...base, allowNo: false, type: 'boolean'}
        : {...base, helpValue: typeWord(entry), multiple: isMultiple(entry), type: 'option'}
  }

  return flags
}

/**
 * oclif's Help for a daemon command: flags from the daemon's live table (so installed plugins'
 * flags show), grouped in the table's order, and its subcommands listed under COMMANDS.
 */
export function daemonHelp(daemon: DaemonDefinition): typeof Help {
  const table = () => daemon.table(targetPlatform(), installedFlagSets())

  class DaemonCommandHelp extends CommandHelp {
    constructor(...args: ConstructorParameters<typeof CommandHelp>) {
      super(...args)
      // oclif runs every help string through ejs (~12 ms for ~100 flags); ours have no templates.
      const render = this.render
      this.render = (text: string) => (text.includes('<%') ? render(text) : text)
    }

    /** Groups in the table's order (common, daemon, this OS's sets, then plugins), not first-seen. */
    protected override groupFlags(flags: Array<Command.Flag.Any>): {flagGroups: Record<string, Array<Command.Flag.Any>>; mainFlags: Array<Command.Flag.Any>} {
      const {flagGroups, mainFlags} = super.groupFlags(flags)
      const order = table().groups
      const rank = (g: string) => (order.includes(g) ? order.indexOf(g) : order.length)
      const sorted = Object.keys(flagGroups).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
      return {flagGroups: Object.fromEntries(sorted.map((g) => [g, flagGroups[g]])), mainFlags}
    }

    override renderList(input: Array<[string, string | undefined]>, opts: {indentation: number; spacer?: string}): string {
      return renderRows(input, this.opts.maxWidth, opts.indentation, opts.spacer)
    }

    protected override usage(): string {
      // A single-command CLI's id is '' and oclif renders "NAME  [OPTIONS]".
      return super.usage().replace(`${this.config.bin}  `, `${this.config.bin} `)
    }
  }

  return class DaemonHelp extends Help {
    protected override CommandHelpClass = DaemonCommandHelp

    override formatCommand(command: Command.Loadable): string {
      const text = super.formatCommand({...command, flags: helpFlags(table())})
      // The one command has no COMMANDS section of its own: subcommands are routed before oclif sees them.
      const rows = Object.entries(daemon.subcommands ?? {}).map(([word, line]): [string, string] => [`${this.config.bin} ${word}`, line])
      return rows.length === 0 ? text : `${text}\n\n${this.section('COMMANDS', this.renderList(rows, {indentation: 2}))}`
    }
  }
}
