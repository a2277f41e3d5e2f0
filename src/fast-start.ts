import {FlagError, flagErrorText, normalizeArgv, toFlagValues} from './options/argv.js'
import {optionTable} from './options/index.js'
import {targetPlatform} from './platform/target.js'

/**
 * A plain daemon start without loading @oclif/core (which alone costs about a bare Node start):
 * the same argv normaliser, flag values and start() as the oclif command, for the one path whose
 * start-up time users feel (systemd units, restarts). bin/run.js takes it only when neither help
 * nor plugins are involved; everything else goes through oclif. Resolves undefined when the
 * arguments turn out to need oclif after all (help).
 */
export async function fastStart(args: string[]): Promise<number | undefined> {
  const platform = targetPlatform()
  const table = optionTable(platform)
  let normalized
  try {
    normalized = normalizeArgv(args, table)
  } catch (error) {
    if (!(error instanceof FlagError)) throw error
    process.stderr.write(flagErrorText(error.message, error.hint))
    return 1
  }

  // Help is oclif's to render: hand it back (bin/run.js's pre-check should have caught it).
  if (normalized.help) return undefined
  for (const notice of normalized.notices) process.stderr.write(`${notice}\n`)
  if (normalized.version) {
    const {versionLine} = await import('./version.js')
    process.stdout.write(`${versionLine()}\n`)
    return 0
  }

  if (normalized.positionals.length > 0) {
    const {positionalError} = await import('./commands/messages.js')
    process.stderr.write(positionalError(normalized.positionals))
    return 1
  }

  const {start} = await import('./daemon/start.js')
  return start(toFlagValues(normalized.argv, table), platform)
}
