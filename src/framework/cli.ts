import {wantsHelp} from '../launch.js'
import {HELP, runPipeline} from '../pipeline.js'
import {targetPlatform} from '../platform/target.js'
import {dispatchReexec} from '../reexec/dispatch.js'
import type {DaemonDefinition} from './define.js'

export interface CliOptions {
  /** The daemon's package directory: its package.json `oclif` section renders help. */
  root: string
  /** Default: process.argv.slice(2). */
  args?: readonly string[]
}

/**
 * A daemon's whole bin script, as bin/run.js does it for dockerd: a reexec child runs its entry
 * point; help and subcommands go through oclif (loaded only then); everything else runs the start
 * pipeline without loading oclif at all. Sets process.exitCode.
 */
export async function runDaemonCli(daemon: DaemonDefinition, options: CliOptions): Promise<void> {
  const args = [...(options.args ?? process.argv.slice(2))]
  const reexec = await dispatchReexec(args)
  if (reexec !== undefined) {
    process.exitCode = reexec
    return
  }

  const subcommand = Object.hasOwn(daemon.subcommands ?? {}, args[0] ?? '')
  if (!subcommand && !wantsHelp(args)) {
    const code = await runPipeline(args, daemon, targetPlatform())
    if (code !== HELP) {
      process.exitCode = code
      return
    }
  }

  const [{execute}, {settings}] = await Promise.all([import('@oclif/core/execute'), import('@oclif/core/settings')])
  settings.enableAutoTranspile = false
  await execute({args, dir: options.root})
}
