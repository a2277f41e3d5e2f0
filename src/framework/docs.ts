import {cell, code} from '../docs/markdown.js'
import {isMultiple, isSwitch} from '../options/argv.js'
import {typeWord, type OptionTable} from '../options/table.js'
import {defaultsContext} from '../platform/paths.js'
import type {TargetPlatform} from '../platform/target.js'
import type {DaemonDefinition} from './define.js'

/**
 * A daemon's command reference in Markdown, from its table: usage, then one table per help group
 * (flag, type, default, description). Defaults are computed for a neutral environment, so the text
 * is the same wherever it is generated.
 */
export function optionsMarkdown(daemon: DaemonDefinition, platform: TargetPlatform = 'linux', table: OptionTable = daemon.table(platform)): string {
  const ctx = {...defaultsContext(platform), env: {HOME: '$HOME'}}
  const out = [`# ${daemon.name}`, '', daemon.description ?? daemon.summary, '', '```', `${daemon.name} [OPTIONS]`, '```', '']
  for (const group of table.groups) {
    out.push(`## ${group}`, '', '| Flag | Type | Default | Description |', '| --- | --- | --- | --- |')
    for (const e of table.entries.filter((x) => x.group === group && !x.fileOnly && !x.hidden)) {
      const flag = [e.char ? code(`-${e.char}`) : '', code(`--${e.name}`)].filter(Boolean).join(', ')
      const type = isSwitch(e) ? '' : isMultiple(e) ? `${typeWord(e)} (repeatable)` : typeWord(e)
      const value = e.defaultHelp ?? e.default?.(ctx)
      const shown = value === undefined || value === '' || (Array.isArray(value) && value.length === 0) ? '' : code(typeof value === 'string' ? value : JSON.stringify(value))
      out.push(`| ${cell(flag)} | ${cell(type)} | ${cell(shown)} | ${cell(e.description)} |`)
    }

    out.push('')
  }

  return out.join('\n')
}
