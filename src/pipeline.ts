import type {DaemonDefinition} from './framework/define.js'
import {loadStderrColour} from './log/colour.js'
import {FlagError, flagErrorText, normalizeArgv, toFlagValues} from './options/argv.js'
import type {FlagSet} from './options/types.js'
import type {TargetPlatform} from './platform/target.js'

/** The arguments ask for help: the caller renders it (oclif's help, or the fast pre-rendered text). */
export const HELP = Symbol('help')

/** cobra's NoArgs error, plus the arguments it refused (dockerd does not name them). */
export function positionalError(daemon: Pick<DaemonDefinition, 'name' | 'summary'>, args: readonly string[]): string {
  const {name, summary} = daemon
  return (
    `"${name}" accepts no argument(s).\nunexpected argument(s): ${args.map((a) => JSON.stringify(a)).join(' ')}\n` +
    `See '${name} --help'.\n\nUsage:  ${name} [OPTIONS]\n\n${summary}\n`
  )
}

/**
 * The one start pipeline, shared by bin/run.js's fast path (src/fast-start.ts) and the oclif
 * command (src/framework/oclif.ts): raw argv → pflag-style normalisation against the daemon's
 * table → flag error (exit 1) | help (handed back) | deprecation notices → --version |
 * positional arguments (exit 1) → flag values → the daemon's start(). Resolves the exit status.
 */
export async function runPipeline(
  args: readonly string[],
  daemon: DaemonDefinition,
  platform: TargetPlatform,
  pluginSets: readonly FlagSet[] = [],
): Promise<number | typeof HELP> {
  const table = daemon.table(platform, pluginSets)
  let normalized
  try {
    normalized = normalizeArgv(args, table)
  } catch (error) {
    if (!(error instanceof FlagError)) throw error
    process.stderr.write(flagErrorText(error.message, error.hint, daemon.name))
    return 1
  }

  for (const notice of normalized.notices) process.stderr.write(`${notice}\n`)
  // --version wins over everything else but help (cobra checks it before the positional rule).
  if (normalized.help) return HELP
  if (normalized.version) {
    process.stdout.write(`${daemon.versionLine()}\n`)
    return 0
  }

  if (normalized.positionals.length > 0) {
    process.stderr.write(positionalError(daemon, normalized.positionals))
    return 1
  }

  // Whether stderr takes colour, known before the first log line (chalk only when it may).
  await loadStderrColour()
  return daemon.start(toFlagValues(normalized.argv, table), {platform, table})
}
