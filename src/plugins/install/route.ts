import type {Command} from '@oclif/core/command'
import type {Config} from '@oclif/core/interfaces'

import {progress, type ProgressOutput} from '../../log/progress.js'
import {isDirectory, localArchive, localDirectory} from './archive-arg.js'
import {installArchive, installDirectory} from './offline.js'
import {withInstallRollback} from './transaction.js'

const PLUGIN_PLUGINS = '@oclif/plugin-plugins'
// Spellings plugin-plugins has no alias for; its own aliases (add, unlink, remove) come from it.
const EXTRA_ALIASES: Record<string, string> = {list: 'plugins', ls: 'plugins'}
// install's flags: all booleans, so every other word is a plugin to install.
const INSTALL_FLAGS = new Set(['--force', '-f', '--silent', '-s', '--verbose', '-v', '--json', '--jit'])

type Out = (text: string) => void

export interface PluginsIO {
  stderr: Out
  stdout: Out
  /** Where install steps are shown (a spinner on a TTY); plain lines on `stderr` otherwise. */
  progress?: ProgressOutput
}

const defaultIO: PluginsIO = {
  progress: process.stderr,
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
    if (split.locals.length > 0) {
      const code = await installLocals(config, split.locals, split.flags, io)
      if (code !== 0 || split.others.length === 0) return code
      remaining = [...split.flags, ...split.others]
    }
  }

  const Cmd = await loadable.load()
  skipRootPreparse(config)
  await withoutNamePrefix(config)
  // Command.run(argv, config) would rebuild the Config (Config.load reloads every plugin), losing
  // the patch above and costing a second load; what it does after that is this.
  const Runnable = Cmd as unknown as new (argv: string[], config: Config) => {_run(): Promise<unknown>}
  await withInstallRollback(config.root, config.dataDir, () => new Runnable(remaining, config)._run())
  return 0
}

interface LocalSource {
  given: string
  kind: 'archive' | 'directory'
  path: string
}

interface InstallArgs {
  locals: LocalSource[]
  flags: string[]
  others: string[]
}

function splitInstallArgs(args: string[]): InstallArgs {
  const out: InstallArgs = {flags: [], locals: [], others: []}
  let positional = false
  for (const a of args) {
    if (!positional && a === '--') positional = true
    else if (!positional && a.startsWith('-')) out.flags.push(a)
    else {
      const archive = localArchive(a)
      const directory = archive === undefined ? localDirectory(a) : undefined
      if (archive !== undefined) out.locals.push({given: a, kind: 'archive', path: archive})
      else if (directory !== undefined) out.locals.push({given: a, kind: 'directory', path: directory})
      else out.others.push(a)
    }
  }

  return out
}

/** Local archives and directories: installed here, offline, with their steps shown. */
async function installLocals(config: Config, locals: LocalSource[], flags: string[], io: PluginsIO): Promise<number> {
  const unknown = flags.filter((f) => !INSTALL_FLAGS.has(f))
  if (unknown.length > 0) {
    io.stderr(`unknown flag: ${unknown[0]}\n`)
    return 1
  }

  const silent = flags.includes('--silent') || flags.includes('-s')
  const json = flags.includes('--json')
  const quiet = silent || json
  const installed = []
  for (const {given, kind, path} of locals) {
    const shown = quiet ? undefined : progress(`Installing plugin ${given}`, io.progress ?? {write: io.stderr})
    const opts = {dataDir: config.dataDir, onStep: (s: string) => shown?.step(s), rootName: config.name}
    try {
      const p = kind === 'archive' ? await installArchive(path, opts) : await installDirectory(path, opts)
      shown?.done(`installed ${p.name} v${p.version}`)
      for (const w of p.warnings) io.stderr(`Warning: ${w}\n`)
      installed.push({name: p.name, root: p.root, version: p.version})
    } catch (error) {
      shown?.fail('failed')
      io.stderr(`${(error as Error).message}\n`)
      if (kind === 'directory' && isDirectory(path)) io.stderr(`(to use a plugin directory in place, without copying it, run: ${config.bin} plugins link ${given})\n`)
      return 1
    }
  }

  await config.runHook('plugins:postinstall', {})
  if (json) io.stdout(JSON.stringify(installed, null, 2) + '\n')
  return 0
}

/** `plugins install --help`: what this CLI installs and how, in place of plugin-plugins' GitHub examples. */
const INSTALL_HELP = {
  description: `A local package archive (.tgz, .tar.gz or .tar, as \`npm pack\` makes it) or a local plugin directory is installed offline, without npm or a network: the directory is copied, with its node_modules. Any other argument is an npm package name (with an optional @version or @tag), installed with npm from the registry (<%= config.scopedEnvVarKey('NPM_REGISTRY') %> sets another one).

To use a plugin's directory in place while developing it, use "<%= config.bin %> plugins link DIR" instead. A failed install leaves the installed and linked plugins as they were. Restart the daemon to load a new plugin.`,
  examples: [
    {command: '<%= config.bin %> plugins install ./dockerd-hello-1.0.0.tgz', description: 'Install a packed plugin (npm pack), offline.'},
    {command: '<%= config.bin %> plugins install ./dockerd-hello', description: 'Install a copy of a plugin directory, offline.'},
    {command: '<%= config.bin %> plugins install dockerd-hello', description: 'Install a plugin from the npm registry.'},
    {command: '<%= config.bin %> plugins install dockerd-hello@1.2.0', description: 'Install a given version from the npm registry.'},
  ],
  summary: 'Installs a plugin into <%= config.bin %>: a local .tgz or directory offline, or an npm package.',
}

/** Help for a plugin-plugins command with oclif's stock Help: ours documents the daemon's flags. */
async function showHelp(config: Config, loadable: Command.Loadable, all: Command.Loadable[], io: PluginsIO): Promise<void> {
  const {Help} = await import('@oclif/core/help')
  // Usage lines read "dockerd plugins install", as typed here.
  config.topicSeparator = ' '
  const help = new Help(config)
  await help.showCommandHelp(loadable.id === 'plugins:install' ? {...loadable, ...INSTALL_HELP} : loadable)
  if (loadable.id !== 'plugins') return
  const subs = all.filter((c) => c.id !== 'plugins' && !c.hidden).sort((a, b) => (a.id < b.id ? -1 : 1))
  const summary = (c: Command.Loadable) => (c.summary ?? c.description ?? '').split('\n')[0]!.replaceAll(/<%=\s*config\.bin\s*%>/g, config.bin)
  const rows = subs.map((c): [string, string] => [`plugins ${c.id.split(':').slice(1).join(' ')}`, summary(c)])
  const width = Math.max(...rows.map(([l]) => l.length)) + 2
  io.stdout(`COMMANDS\n${rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`.trimEnd()).join('\n')}\n`)
}

/**
 * plugin-plugins names the CLI by its package name in its progress lines (`dockerd-ts: Installing
 * plugin …`); the user typed `dockerd`, and the package name means nothing to them.
 */
async function withoutNamePrefix(config: Config): Promise<void> {
  const {action} = await import('@oclif/core/ux')
  const start = action.start.bind(action)
  const prefix = `${config.name}: `
  action.start = (text, ...rest) => start(text.startsWith(prefix) ? text.slice(prefix.length) : text, ...rest)
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
