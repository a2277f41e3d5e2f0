import {createRequire} from 'node:module'

import {defaultSuffix, helpWidth, renderRows} from './help-layout.js'
import {helpModels} from './help-models.js'
import {hostDefaults, type HostDefaultName} from './options/host-defaults.js'
import type {OptionKind} from './options/types.js'
import {defaultsContext} from './platform/paths.js'
import {targetPlatform} from './platform/target.js'

/** A flag row whose text does not depend on the host. */
export interface StaticRow {
  left: string
  text: string
}

/** A flag row whose default is the host's (a path, an environment variable, a file's presence). */
export interface HostRow {
  defaultHelp?: string
  description: string
  kind: OptionKind
  left: string
  name: HostDefaultName
}

/** `dockerd --help` for one OS, in oclif's plain text and with its colours (bold headers, underlined values). */
export interface HelpModels {
  coloured: HelpModel
  plain: HelpModel
}

/** `dockerd --help` for one OS as oclif renders it, cut where the width and the host matter. */
export interface HelpModel {
  groups: Array<{rows: Array<HostRow | StaticRow>; title: string}>
  /** Everything before the first flag group and after the last, verbatim. */
  head: string
  tail: string
  /** The narrowest width at which oclif renders head and tail as they are here. */
  minWidth: number
}

/**
 * Whether oclif would colour this help: its colorize() asks supports-color for stdout and stderr,
 * then ansis styles (or not, under NO_COLOR). Both are asked here, from oclif's own copies; they
 * are only loaded when a terminal or FORCE_COLOR makes colour possible.
 */
function coloured(env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream): boolean {
  if (!stdout.isTTY && env.FORCE_COLOR === undefined) return false
  let require
  try {
    require = createRequire(createRequire(import.meta.url).resolve('@oclif/core'))
  } catch {
    return false // no oclif (the single executable): no colours either
  }

  const sc = require('supports-color') as {stderr: unknown; stdout: unknown}
  return Boolean(sc.stdout) && Boolean(sc.stderr) && (require('ansis') as {isSupported(): boolean}).isSupported()
}

/** Renders a model at a width for a host. */
export function renderHelp(model: HelpModel, width: number, env: NodeJS.ProcessEnv): string {
  const ctx = defaultsContext(targetPlatform(env), env)
  const groups = model.groups.map(({rows, title: t}) => {
    const list = rows.map((r): [string, string] =>
      'text' in r ? [r.left, r.text] : [r.left, r.description + defaultSuffix(r, hostDefaults[r.name](ctx))],
    )
    return `${t}\n${renderRows(list, width, 2)
      .split('\n')
      .map((l) => (l ? `  ${l}` : l))
      .join('\n')}`
  })
  return model.head + groups.join('\n\n') + model.tail
}

/**
 * `dockerd --help` without loading oclif: the text oclif rendered at build time for the target
 * OS, re-wrapped to this terminal and with this host's defaults. Undefined when there is no such
 * text (running from the sources) or the terminal is narrower than it was checked for.
 */
export function fastHelp(env: NodeJS.ProcessEnv = process.env, stdout: NodeJS.WriteStream = process.stdout): string | undefined {
  const models = helpModels[targetPlatform(env)]
  const width = helpWidth(env, stdout)
  if (!models || width < models.plain.minWidth) return undefined
  return renderHelp(coloured(env, stdout) ? models.coloured : models.plain, width, env)
}
