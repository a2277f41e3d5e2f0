import type {OptionTable} from '../options/table.js'
import type {ConfigValues} from '../options/typed.js'
import type {DefaultsContext} from '../options/types.js'
import type {Position} from './json.js'

/** Raw flag values as oclif parsed them, by option name; `undefined` = not given. */
export type FlagValues = Record<string, boolean | string | string[] | undefined>

/** One thing wrong with the configuration, in dockerd's words, plus where and what might help. */
export interface Problem {
  /** The file the message is about ('' for command-line problems). */
  file: string
  /** Extra lines: where in the file, "did you mean", the systemd hint. */
  hints: string[]
  /** Flag-parse problems are printed the way cobra prints them (`Status: …, Code: 125`). */
  kind: 'file' | 'flag' | 'merged' | 'plain'
  message: string
  position?: Position
}

export interface LoadInput {
  configFile: string
  configFileExplicit: boolean
  defaults: DefaultsContext
  flags: FlagValues
  table: OptionTable
}

/** The one immutable configuration the daemon gets (DESIGN: argv → options → config → daemon). */
export interface DaemonConfig {
  configFile: string
  /** Options given on the command line. */
  explicit: ReadonlySet<string>
  /** Options whose key is present in the file (even as null). */
  fileKeys: ReadonlySet<string>
  /** Normalised listen addresses: parsed, sorted, de-duplicated. */
  hosts: readonly string[]
  /** TLS as §6.6 decides it. */
  tls: {
    ca: string
    cert: string
    enabled: boolean
    explicit: boolean
    key: string
    verify: boolean
    /** The default paths looked for and not found (cert/key then ''), for a message that says where. */
    missingDefaults?: {tlscert?: string; tlskey?: string}
  }
  /** Every option's effective value, by option name, typed from the table (plugin options: `unknown`). */
  values: ConfigValues
}

export type LoadResult = {config: DaemonConfig; problems: []} | {config?: undefined; problems: Problem[]}

export type {ConfigValues} from '../options/typed.js'
