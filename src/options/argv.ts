import {suggest} from '../config/suggest.js'
import {parseGoBool} from '../opts/go.js'
import type {OptionTable, TableEntry} from './table.js'

/** A command-line error in pflag's words; the command wraps it as dockerd prints it. */
export class FlagError extends Error {
  // A non-zero oclif exit makes oclif rethrow it out of the preparse hook instead of swallowing it.
  readonly oclif = {exit: 1}

  /** A line printed after pflag's (`Did you mean --debug?`). */
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/** cobra's lines for a flag error, then our hint if any (src/pipeline.ts prints it). */
export function flagErrorText(message: string, hint?: string, bin = 'dockerd'): string {
  return `Status: ${message}\nSee '${bin} --help'., Code: 125\n${hint ? `${hint}\n` : ''}`
}

/** `Did you mean --debug?` for a mistyped long flag, as git and oclif suggest. */
function didYouMean(name: string, table: OptionTable): string | undefined {
  const names = [...table.byName.values()].filter((e) => !e.fileOnly && !e.hidden).map((e) => e.name)
  const guess = suggest(name, [...names, HELP])
  return guess ? `Did you mean --${guess}?` : undefined
}

export interface NormalizedArgv {
  /** argv oclif can parse: `--name`, `--no-name`, `--name=value`; only the last of a repeated scalar. */
  argv: string[]
  help: boolean
  /** Notices pflag prints on stdout for deprecated flags, in order of use. */
  notices: string[]
  positionals: string[]
  version: boolean
}

/** Flags oclif itself owns in a single-command CLI. */
const HELP = 'help'

/**
 * Reads argv the way pflag does (`--flag=value`, `--flag value`, `-p value`, `-pvalue`, `-Dl debug`,
 * `--bool=false`, `-D=true`, `--` ends flags, interleaved positionals, last scalar wins, lists
 * accumulate) and rewrites it into a form oclif parses unambiguously. Errors carry pflag's text.
 */
export function normalizeArgv(input: readonly string[], table: OptionTable): NormalizedArgv {
  const out: NormalizedArgv = {argv: [], help: false, notices: [], positionals: [], version: false}
  const scalarAt = new Map<string, number>()
  const emit = (entry: TableEntry, token: string) => {
    if (isSwitch(entry) || !isMultiple(entry)) {
      const previous = scalarAt.get(entry.name)
      if (previous !== undefined) out.argv[previous] = ''
      scalarAt.set(entry.name, out.argv.length)
    }

    out.argv.push(token)
    if (entry.deprecated && !out.notices.some((n) => n.startsWith(`Flag --${entry.name} `))) {
      out.notices.push(`Flag --${entry.name} has been deprecated, ${entry.deprecated}`)
    }
  }

  const setBool = (entry: TableEntry, raw: string | undefined, display: string) => {
    let value = true
    if (raw !== undefined) {
      try {
        value = parseGoBool(raw)
      } catch (error) {
        throw new FlagError(`invalid argument "${raw}" for "${display}" flag: ${(error as Error).message}`)
      }
    }

    if (entry.name === 'version') out.version ||= value
    emit(entry, value ? `--${entry.name}` : `--no-${entry.name}`)
  }

  // pflag stops at the first bad flag, but -v/--version must win whatever else is given: remember
  // the first error, keep scanning for --version, and only then report it.
  let firstError: FlagError | undefined
  for (let i = 0; i < input.length; i++) {
    try {
      i = step(i)
    } catch (error) {
      if (!(error instanceof FlagError)) throw error
      firstError ??= error
    }
  }

  if (firstError && !(out.version && !out.help)) throw firstError
  out.argv = out.argv.filter(Boolean)
  return out

  /** Consumes the flag at `i` (and its value); returns the index of the last argument consumed. */
  function step(i: number): number {
    const arg = input[i]
    if (arg === '--') {
      out.positionals.push(...input.slice(i + 1))
      return input.length
    }

    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      const inline = eq === -1 ? undefined : arg.slice(eq + 1)
      if (name === HELP) {
        out.help = true
        return i
      }

      const entry = table.byName.get(name)
      if (!entry || entry.fileOnly) throw new FlagError(`unknown flag: --${name}`, didYouMean(name, table))
      const display = flagDisplay(entry)
      if (isSwitch(entry)) {
        setBool(entry, inline, display)
        return i
      }

      let value = inline
      if (value === undefined) {
        if (i + 1 >= input.length) throw new FlagError(`flag needs an argument: --${name}`)
        value = input[++i]
      }

      emit(entry, `--${entry.name}=${value}`)
      return i
    }

    if (arg.startsWith('-') && arg.length > 1) {
      // A group of shorthands: bools may be combined; the first non-bool takes the rest or the next arg.
      let rest = arg.slice(1)
      while (rest.length > 0) {
        const c = rest[0]
        rest = rest.slice(1)
        if (c === 'h') {
          out.help = true
          out.notices.push('Flag shorthand -h has been deprecated, please use --help')
          if (rest.startsWith('=')) rest = ''
          continue
        }

        const entry = table.byChar.get(c)
        if (!entry) throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`)
        const display = flagDisplay(entry)
        if (isSwitch(entry)) {
          if (rest.startsWith('=')) {
            setBool(entry, rest.slice(1), display)
            rest = ''
          } else setBool(entry, undefined, display)

          continue
        }

        let value: string
        if (rest.length > 0) value = rest.startsWith('=') ? rest.slice(1) : rest
        else {
          if (i + 1 >= input.length) throw new FlagError(`flag needs an argument: '${c}' in -${c}`)
          value = input[++i]
        }

        emit(entry, `--${entry.name}=${value}`)
        rest = ''
      }

      return i
    }

    out.positionals.push(arg)
    return i
  }
}

/** How pflag names a flag in "invalid argument" errors: `-H, --host` or `--mtu`. */
export function flagDisplay(entry: {char?: string; name: string}): string {
  return entry.char ? `-${entry.char}, --${entry.name}` : `--${entry.name}`
}

/** A repeatable flag (lists accumulate), as its kind says. */
export function isMultiple(entry: TableEntry): boolean {
  return entry.valueKind.flag === 'multiple'
}

/** A switch: `--flag`, `--flag=false`, `--no-flag`. */
export function isSwitch(entry: TableEntry): boolean {
  return entry.valueKind.flag === 'boolean'
}

/** What oclif's parser makes of normalised argv: booleans, the last scalar, lists accumulated. */
export function toFlagValues(argv: readonly string[], table: OptionTable): Record<string, boolean | string | string[]> {
  const out: Record<string, boolean | string | string[]> = {}
  for (const token of argv) {
    const eq = token.indexOf('=')
    const flag = eq === -1 ? token.slice(2) : token.slice(2, eq)
    // `--no-x` is x=false, unless a flag is really called no-x (--no-new-privileges).
    const negated = eq === -1 && !table.byName.has(flag) && flag.startsWith('no-')
    const entry = table.get(negated ? flag.slice(3) : flag)
    if (isSwitch(entry)) out[entry.name] = !negated
    else if (isMultiple(entry)) out[entry.name] = [...((out[entry.name] as string[] | undefined) ?? []), token.slice(eq + 1)]
    else out[entry.name] = token.slice(eq + 1)
  }

  return out
}
