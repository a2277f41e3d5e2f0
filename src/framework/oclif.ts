import {Command} from '@oclif/core/command'

import {toOclifFlags} from '../options/flags.js'
import {HELP, runPipeline} from '../pipeline.js'
import {targetPlatform} from '../platform/target.js'
import {installedFlagSets} from '../plugins/registry.js'
import type {DaemonDefinition} from './define.js'

/**
 * The oclif command of a daemon (package.json `oclif.commands`: the single strategy, its target
 * the bundle that also holds the hooks and help, so they share module state). Its flags are
 * derived from the table for the manifest and help only: run() hands the raw argv to the same
 * pipeline as bin/run.js's fast path, with the flag sets installed plugins contributed.
 */
export function daemonCommand(daemon: DaemonDefinition): typeof Command {
  const platform = targetPlatform()

  class DaemonCommand extends Command {
    static override description = daemon.description ?? daemon.summary
    // pflag's syntax is the pipeline's: oclif's parser never sees the argv.
    static override strict = false
    /** The OS this manifest was generated for: help for another target rebuilds flags live. */
    static targetPlatform = platform
    static override usage = '[OPTIONS]'

    override async catch(error: Error): Promise<void> {
      // Never a stack trace: one line naming the daemon.
      process.stderr.write(`${daemon.name}: ${error.message.split('\n')[0]}\n`)
      process.exitCode = 1
    }

    async run(): Promise<void> {
      const code = await runPipeline(this.argv, daemon, platform, installedFlagSets())
      if (code !== HELP) {
        process.exitCode = code
        return
      }

      // oclif catches --help and -h by themselves before the command; a group (-Dh) ends up here.
      const {loadHelpClass} = await import('@oclif/core/help')
      const Help = await loadHelpClass(this.config)
      await new Help(this.config).showHelp(['--help'])
    }
  }

  // Built on first read (the manifest, a command load), not when the bundle loads for --help.
  let flags: ReturnType<typeof toOclifFlags> | undefined
  Object.defineProperty(DaemonCommand, 'flags', {configurable: true, enumerable: true, get: () => (flags ??= toOclifFlags(daemon.table(platform).entries))})
  return DaemonCommand
}
