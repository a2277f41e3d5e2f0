import type {Command} from '@oclif/core/command'
import type {Config} from '@oclif/core/interfaces'

import {localArchive} from './archive-arg.js'
import {installArchive} from './offline.js'

const PLUGIN_PLUGINS = '@oclif/plugin-plugins'
// Spellings plugin-plugins has no alias for; its own aliases (add, unlink, remove) come from it.
const EXTRA_ALIASES: Record<string, string> = {list: 'plugins', ls: 'plugins'}
// install's flags: all booleans, so every other word is a plugin to install.
const INSTALL_FLAGS = new Set(['--force', '-f', '--silent', '-s', '--verbose', '-v', '--json', '--jit'])

type Out = (text: string) => void

export interface PluginsIO {
  stderr: Out
  stdout: Out
}

const defaultIO: PluginsIO = {
  stderr: (t) => process.stderr.write(t),
  stdout: (t) => process.stdout.write(t),
}

/**
 * `dockerd plugins [sub] ...`: the commands of @oclif/plugin-plugins, loaded only here (a
 * single-command CLI cannot reach them, and loading them costs every start ~20 ms). Local
 * archives given to `install`/`add` are installed offline instead of through npm.
 * Returns the exit status; user mistakes give 1.
 */
export async function runPlugins(config: Config, argv: string[], io: PluginsIO = defaultIO): Promise<number> {
  try {
    return await route(config, argv, io)
  } catch (error) {
    return report(error, io)
  }
}

async function route(config: Config, argv: string[], io: PluginsIO): Promise<number> {
  // npm would run the package's install scripts, as root on most daemons: off unless the user
  // turns them on with npm's own setting (npm_config_ignore_scripts=false).
  if (!Object.keys(process.env).some((k) => k.toLowerCase() === 'npm_config_ignore_scripts')) process.env.npm_config_ignore_scripts = 'true'
  const [sub, ...rest] = argv
  const word = sub === undefined || sub.startsWith('-') ? undefined : sub
  const {Plugin} = await import('@oclif/core/config')
  const plugin = new Plugin({name: PLUGIN_PLUGINS, root: config.root, type: 'core'})
  await plugin.load()

  const id = word === undefined ? 'plugins' : EXTRA_ALIASES[word] ?? `plugins:${word}`
  const loadable = plugin.commands.find((c) => c.id === id || c.aliases.includes(id))
  if (!loadable) {
    io.stderr(`unknown command "plugins ${word}"\n`)
    return 1
  }

  const args = word === undefined ? argv : rest
  const end = args.indexOf('--')
  const flags = end === -1 ? args : args.slice(0, end)
  if (flags.includes('--help') || flags.includes('-h')) {
    await showHelp(config, loadable, plugin.commands, io)
    return 0
  }

  let remaining = args
  if (loadable.id === 'plugins:install') {
    const split = splitInstallArgs(args)
    if (split.archives.length > 0) {
      const code = await installArchives(config, split.archives, split.flags, io)
      if (code !== 0 || split.others.length === 0) return code
      remaining = [...split.flags, ...split.others]
    }
  }

  const Cmd = await loadable.load()
  skipRootPreparse(config)
  // Command.run(argv, config) would rebuild the Config (Config.load reloads every plugin), losing
  // the patch above and costing a second load; what it does after that is this.
  const Runnable = Cmd as unknown as new (argv: string[], config: Config) => {_run(): Promise<unknown>}
  await new Runnable(remaining, config)._run()
  return 0
}

interface InstallArgs {
  /** [as given, absolute path] */
  archives: Array<[string, string]>
  flags: string[]
  others: string[]
}

function splitInstallArgs(args: string[]): InstallArgs {
  const out: InstallArgs = {archives: [], flags: [], others: []}
  let positional = false
  for (const a of args) {
    if (!positional && a === '--') positional = true
    else if (!positional && a.startsWith('-')) out.flags.push(a)
    else {
      const path = localArchive(a)
      if (path === undefined) out.others.push(a)
      else out.archives.push([a, path])
    }
  }

  return out
}

async function installArchives(config: Config, archives: Array<[string, string]>, flags: string[], io: PluginsIO): Promise<number> {
  const unknown = flags.filter((f) => !INSTALL_FLAGS.has(f))
  if (unknown.length > 0) {
    io.stderr(`unknown flag: ${unknown[0]}\n`)
    return 1
  }

  const silent = flags.includes('--silent') || flags.includes('-s')
  const json = flags.includes('--json')
  const installed = []
  for (const [given, path] of archives) {
    if (!silent && !json) io.stderr(`${config.name}: Installing plugin ${given}... `)
    try {
      const p = await installArchive(path, {dataDir: config.dataDir, rootName: config.name})
      if (!silent && !json) io.stderr(`installed v${p.version}\n`)
      for (const w of p.warnings) io.stderr(`Warning: ${w}\n`)
      installed.push({name: p.name, root: p.root, version: p.version})
    } catch (error) {
      if (!silent && !json) io.stderr('failed\n')
      io.stderr(`${(error as Error).message}\n`)
      return 1
    }
  }

  await config.runHook('plugins:postinstall', {})
  if (json) io.stdout(JSON.stringify(installed, null, 2) + '\n')
  return 0
}

/** Help for a plugin-plugins command with oclif's stock Help: ours documents the daemon's flags. */
async function showHelp(config: Config, loadable: Command.Loadable, all: Command.Loadable[], io: PluginsIO): Promise<void> {
  const {Help} = await import('@oclif/core/help')
  // Usage lines read "dockerd plugins install", as typed here.
  config.topicSeparator = ' '
  const help = new Help(config)
  await help.showCommandHelp(loadable)
  if (loadable.id !== 'plugins') return
  const subs = all.filter((c) => c.id !== 'plugins' && !c.hidden).sort((a, b) => (a.id < b.id ? -1 : 1))
  const summary = (c: Command.Loadable) => (c.summary ?? c.description ?? '').split('\n')[0]!.replaceAll(/<%=\s*config\.bin\s*%>/g, config.bin)
  const rows = subs.map((c): [string, string] => [`plugins ${c.id.split(':').slice(1).join(' ')}`, summary(c)])
  const width = Math.max(...rows.map(([l]) => l.length)) + 2
  io.stdout(`COMMANDS\n${rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`.trimEnd()).join('\n')}\n`)
}

/**
 * oclif runs the root plugin's `preparse` hook for every command's parse; ours rewrites and checks
 * dockerd's pflag-style argv against the daemon's option table, which would refuse plugin-plugins'
 * own flags (`--core`, `--no-install`). Their commands parse their argv as given.
 */
function skipRootPreparse(config: Config): void {
  const runHook = config.runHook.bind(config) as (event: string, ...rest: unknown[]) => Promise<unknown>
  const patched = async (event: string, ...rest: unknown[]) => (event === 'preparse' ? {failures: [], successes: []} : runHook(event, ...rest))
  config.runHook = patched as unknown as Config['runHook']
}

function report(error: unknown, io: PluginsIO): number {
  const err = error as {code?: string; message?: string; oclif?: {exit?: number}}
  // this.exit(n) inside a command: its status, nothing to print.
  if (err?.code === 'EEXIT') return err.oclif?.exit ?? 0
  io.stderr(`${err?.message ?? String(error)}\n`)
  return 1
}
