import type {OptionTable} from '../options/table.js'
import type {FlagSet} from '../options/types.js'
import type {TargetPlatform} from '../platform/target.js'

/** Flag values as the argv normaliser gives them: booleans, the last scalar, lists accumulated. */
export type FlagValues = Record<string, boolean | string | string[]>

/** What a daemon's start() gets besides its flag values. */
export interface StartContext {
  platform: TargetPlatform
  /** The table the flags were read with: the daemon's own sets, then installed plugins'. */
  table: OptionTable
}

/**
 * A daemon command, described once: the start pipeline (src/pipeline.ts), the oclif command and
 * help (src/framework/oclif.ts) and bin/run.js's fast path all take it as a parameter, so nothing
 * in them names a particular daemon. dockerd is assembled from one (src/dockerd.ts).
 */
export interface DaemonDefinition {
  /** The program's name: usage, flag errors (`See 'NAME --help'.`), oclif's `bin`. */
  name: string
  /** One line: under Usage in help and in the positional-argument error (cobra's Short). */
  summary: string
  /** Help's description; the summary when absent. */
  description?: string
  /**
   * The option table for a target OS; `extra` are the flag sets of installed plugins. It must hold
   * a `version` bool (`-v`/`--version` print versionLine()).
   */
  table(platform: TargetPlatform, extra?: readonly FlagSet[]): OptionTable
  /** What `--version` prints (without the newline). */
  versionLine(): string
  /** First words that name a subcommand (routed through oclif), with their help line: never a start. */
  subcommands?: Readonly<Record<string, string>>
  /** From flag values to a running daemon; resolves its exit status. Load heavy code inside it. */
  start(flags: FlagValues, ctx: StartContext): Promise<number>
}

/** Checks a definition's shape once, where it is made, with a message naming what is missing. */
export function defineDaemon<T extends DaemonDefinition>(definition: T): T {
  for (const key of ['name', 'summary'] as const) {
    if (typeof definition[key] !== 'string' || definition[key] === '') throw new TypeError(`defineDaemon: "${key}" must be a non-empty string`)
  }

  for (const key of ['table', 'versionLine', 'start'] as const) {
    if (typeof definition[key] !== 'function') throw new TypeError(`defineDaemon(${definition.name}): "${key}" must be a function`)
  }

  return definition
}
