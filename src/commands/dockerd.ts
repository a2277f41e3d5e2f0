import {Command} from '@oclif/core/command'

import {flagErrorText, lastNormalized} from '../options/argv.js'
import {toOclifFlags} from '../options/flags.js'
import {optionTable} from '../options/index.js'
import {targetPlatform} from '../platform/target.js'

const PLATFORM = targetPlatform()

/** Exit and print nothing more: the message was written already. */
class Reported extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}

export default class Dockerd extends Command {
  // Lines of at most 72 columns: the fast --help (rendered by oclif at build time) re-wraps only
  // flag rows, and is used on terminals at least as wide as its widest other line.
  static override description = [
    'A self-sufficient runtime for containers.',
    '',
    'Serves the Engine API on its listeners: /_ping, /version, /info,',
    '/events and plugin routes itself; with --engine-host every other',
    'route (containers, images, networks, volumes, exec, build) is',
    'forwarded to that upstream engine, and without one those routes',
    'answer 501 saying how to configure it.',
  ].join('\n')
  static override flags = toOclifFlags(optionTable(PLATFORM).entries)
  static override strict = true
  /** The OS this manifest was generated for: help for another target rebuilds flags live. */
  static targetPlatform = PLATFORM
  static override usage = '[OPTIONS]'

  override async catch(error: Error & {hint?: string; oclif?: {exit?: number}}): Promise<void> {
    if (error instanceof Reported) {
      process.exitCode = error.code
      return
    }

    // Parse errors (ours from the preparse hook, or oclif's) print as cobra prints flag errors.
    const message = error.message.split('\n')[0].replace(/^Parsing --\S+ /, '')
    process.stderr.write(flagErrorText(message, error.hint))
    process.exitCode = 1
  }

  async run(): Promise<void> {
    // The table now includes the flag sets of installed plugins (loaded by the plugins init hook).
    const {flags} = await this.parse({args: {}, flags: toOclifFlags(optionTable(PLATFORM).entries), strict: true})
    const normalized = lastNormalized()
    for (const notice of normalized?.notices ?? []) process.stderr.write(`${notice}\n`)
    if (normalized?.help) {
      // oclif catches --help and -h by themselves; a combined group (-Dh) ends up here.
      const {loadHelpClass} = await import('@oclif/core/help')
      const Help = await loadHelpClass(this.config)
      await new Help(this.config).showHelp(['--help'])
      return
    }

    if (flags.version) {
      const {versionLine} = await import('../version.js')
      process.stdout.write(`${versionLine()}\n`)
      return
    }

    if (normalized && normalized.positionals.length > 0) {
      const {positionalError} = await import('./messages.js')
      process.stderr.write(positionalError(normalized.positionals))
      throw new Reported(1)
    }

    // Daemon code is imported only here, so --help and --version never pay for it.
    const {start} = await import('../daemon/start.js')
    const code = await start(flags as Record<string, boolean | string | string[] | undefined>, PLATFORM)
    if (code !== 0) throw new Reported(code)
  }
}
