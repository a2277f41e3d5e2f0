import {dockerd} from './dockerd.js'
import type {DaemonDefinition} from './framework/define.js'
import {HELP, runPipeline} from './pipeline.js'
import {targetPlatform} from './platform/target.js'

/**
 * A plain daemon start without loading @oclif/core (which alone costs about a bare Node start):
 * the same pipeline as the oclif command, for the one path whose start-up time users feel
 * (systemd units, restarts). bin/run.js takes it only when neither help nor a subcommand nor
 * installed plugins are involved. Resolves undefined when the arguments turn out to need oclif
 * after all (help).
 */
export async function fastStart(args: readonly string[], daemon: DaemonDefinition = dockerd): Promise<number | undefined> {
  const code = await runPipeline(args, daemon, targetPlatform())
  return code === HELP ? undefined : code
}
