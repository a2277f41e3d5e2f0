import {writeSync} from 'node:fs'

import {loadStderrColour, stderrColourLevel} from './colour.js'
import {formatJSON, formatTTY, formatText, timestamp} from './format.js'
import type {Entry, Fields, Format, Level, LoggerOptions} from './types.js'

/** logrus numbering: a level is enabled when its number is <= the logger's. */
const SEVERITY: Readonly<Record<Level, number>> = {
  panic: 0,
  fatal: 1,
  error: 2,
  warn: 3,
  info: 4,
  debug: 5,
  trace: 6,
}

const PARSE: Readonly<Record<string, Level>> = {
  panic: 'panic',
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
}

/** logrus.ParseLevel, case-insensitive, with the message dockerd prints when it fails. */
export function parseLevel(s: string): Level {
  const key = s.toLowerCase()
  if (!Object.hasOwn(PARSE, key)) throw new Error(`unable to parse logging level: ${s}`)
  return PARSE[key]
}

/** Write the whole line to stderr; a logger must never throw into its caller. */
function writeStderr(line: string): void {
  const buf = Buffer.from(line)
  let off = 0
  let retries = 0
  while (off < buf.length) {
    try {
      off += writeSync(2, buf, off)
    } catch (error) {
      // EAGAIN: someone made fd 2 non-blocking; spin briefly, then give up on this line.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && ++retries < 100) continue
      return
    }
  }
}

/** Configuration shared by a logger and every child made with withFields(). */
interface State {
  max: number
  level: Level
  format: Format
  rawLogs: boolean
  color: boolean | undefined
  write: (line: string) => void
  now: () => string
  /** Resolved on the first text write: logrus's TTY layout in colour, or plain text. */
  colour: boolean | undefined
}

/** undefined: not known yet (stderr's verdict is being asked; this line goes out plain). */
function colorWanted(s: State): boolean | undefined {
  if (s.format !== 'text' || s.rawLogs) return false
  if (s.color !== undefined) return s.color
  // supports-color honours FORCE_COLOR but not NO_COLOR (https://no-color.org).
  if (process.env.NO_COLOR) return false
  // 0 unless stderr is a TTY or FORCE_COLOR says otherwise. A start asks before it logs.
  const level = stderrColourLevel()
  if (level === undefined) void loadStderrColour()
  return level === undefined ? undefined : level > 0
}

export class Logger {
  #state: State
  #fields: Fields

  constructor(options: Partial<LoggerOptions> = {}) {
    const level = options.level ?? 'info'
    if (!Object.hasOwn(SEVERITY, level)) throw new Error(`unable to parse logging level: ${level}`)
    this.#state = {
      max: SEVERITY[level],
      level,
      format: options.format ?? 'text',
      rawLogs: options.rawLogs ?? false,
      color: options.color,
      write: options.write ?? writeStderr,
      now: options.now ?? timestamp,
      colour: undefined,
    }
    this.#fields = {}
  }

  get level(): Level {
    return this.#state.level
  }

  /** Reconfigure in place; children made with withFields() follow (SIGHUP reloads the level). */
  configure(options: Partial<LoggerOptions>): void {
    const s = this.#state
    if (options.level !== undefined) {
      // Values can come from untyped sources (daemon.json on reload): an unknown level must
      // not silently mute the logger.
      if (!Object.hasOwn(SEVERITY, options.level)) throw new Error(`unable to parse logging level: ${options.level}`)
      s.max = SEVERITY[options.level]
      s.level = options.level
    }

    if (options.format !== undefined) s.format = options.format
    if (options.rawLogs !== undefined) s.rawLogs = options.rawLogs
    if ('color' in options) s.color = options.color
    if (options.write !== undefined) s.write = options.write
    if (options.now !== undefined) s.now = options.now
    s.colour = undefined
  }

  isLevelEnabled(level: Level): boolean {
    return SEVERITY[level] <= this.#state.max
  }

  /** A child logger with extra fields, sharing this logger's configuration. */
  withFields(fields: Fields): Logger {
    const child = new Logger()
    child.#state = this.#state
    child.#fields = {...this.#fields, ...fields}
    return child
  }

  trace(msg: string, fields?: Fields): void {
    if (this.#state.max >= 6) this.write('trace', msg, fields)
  }

  debug(msg: string, fields?: Fields): void {
    if (this.#state.max >= 5) this.write('debug', msg, fields)
  }

  info(msg: string, fields?: Fields): void {
    if (this.#state.max >= 4) this.write('info', msg, fields)
  }

  warn(msg: string, fields?: Fields): void {
    if (this.#state.max >= 3) this.write('warn', msg, fields)
  }

  error(msg: string, fields?: Fields): void {
    if (this.#state.max >= 2) this.write('error', msg, fields)
  }

  /** Logs only: unlike logrus, exiting is the caller's decision. */
  fatal(msg: string, fields?: Fields): void {
    if (this.#state.max >= 1) this.write('fatal', msg, fields)
  }

  /** Logs only: unlike logrus, throwing is the caller's decision. */
  panic(msg: string, fields?: Fields): void {
    this.write('panic', msg, fields)
  }

  /**
   * Emit an entry regardless of the level filter. For sources with their own gate,
   * such as DEBUG=dockerd:* namespaces.
   */
  write(level: Level, msg: string, fields?: Fields): void {
    const s = this.#state
    const entry: Entry = {
      time: s.now(),
      level,
      msg,
      fields: fields === undefined ? this.#fields : {...this.#fields, ...fields},
    }
    let line: string
    if (s.format === 'json') {
      line = formatJSON(entry)
    } else {
      s.colour ??= colorWanted(s)
      line = s.colour ? formatTTY(entry) : formatText(entry)
    }

    s.write(line + '\n')
  }
}

/** The process-wide logger (logrus's standard logger). */
export const log = new Logger({level: 'info', format: 'text'})
