// Whether the daemon's text log on stderr is coloured by default: supports-color's verdict for
// stderr (chalk's copy of it), as before. chalk, supports-color and the node:tty, node:os and
// node:process modules they load are asked only when the verdict can be yes: most daemons log to
// a journal or a file, and loading them cost every start milliseconds and a few hundred KiB.
import {fstatSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'

let level: number | undefined

/**
 * isatty(2), without loading node:tty when stderr cannot be a terminal: a pipe, a socket (the
 * journal), a file, or /dev/null (the character device daemons are most often started with).
 */
export function stderrIsTTY(): boolean {
  try {
    const st = fstatSync(2)
    if (!st.isCharacterDevice() || st.rdev === statSync('/dev/null').rdev) return false
  } catch {
    // No fd 2, or no /dev/null (Windows): node:tty answers.
  }

  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(2)
}

/**
 * False when supports-color would certainly answer 0 for stderr: no terminal on it, no
 * FORCE_COLOR, no `--color…` argument, not Azure Pipelines (which it colours without a terminal).
 */
export function colourPossible(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv, isTTY = stderrIsTTY): boolean {
  if ('FORCE_COLOR' in env || ('TF_BUILD' in env && 'AGENT_NAME' in env)) return true
  if (argv.some((a) => a.startsWith('--color'))) return true
  return isTTY()
}

/** Asks supports-color (through chalk) once, when colourPossible(); a start awaits this before its first log line. */
export async function loadStderrColour(): Promise<void> {
  if (level !== undefined) return
  level = colourPossible() ? (await import('chalk')).chalkStderr.level : 0
}

/** stderr's colour level (0: none); undefined until loadStderrColour() has answered. */
export function stderrColourLevel(): number | undefined {
  return level
}
