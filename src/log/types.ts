/** Logrus levels, most to least severe: panic < fatal < error < warn < info < debug < trace. */
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'panic'

export type Fields = Record<string, unknown>

export type Format = 'text' | 'json'

export interface LoggerOptions {
  level: Level
  format: Format
  /** --raw-logs: never colour, even on a TTY (logrus DisableColors). */
  rawLogs: boolean
  /** Default: stderr supports colour (chalkStderr, so FORCE_COLOR applies), NO_COLOR unset, !rawLogs. */
  color?: boolean
  /** Receives one complete line including its trailing newline. Default: fs.writeSync(2, …). */
  write?: (line: string) => void
  /** Timestamp source. Default: timestamp() (RFC3339Nano, 9 digits, UTC). */
  now?: () => string
}

/** One log record as the formatters see it. */
export interface Entry {
  time: string
  level: Level
  msg: string
  fields: Fields
}

/** The subset of a `debug` instance that callers use; the no-op tracer implements it too. */
export interface Tracer {
  (formatter: unknown, ...args: unknown[]): void
  readonly enabled: boolean
  readonly namespace: string
  extend(namespace: string): Tracer
}

/** The part of a logger that the daemon's modules and plugins are handed (Logger satisfies it). */
export interface LogSink {
  debug(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
}
