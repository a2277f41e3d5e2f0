import {loaderOf, registered} from './registry.js'

/** Set by command() for children whose argv[0] does not survive (Windows launchers, SEA). */
export const REEXEC_ENV = 'DOCKERD_REEXEC'

/**
 * The registered entry point this process was started as: argv0 by exact match (as current
 * moby does, not by basename), else the DOCKERD_REEXEC fallback, else undefined.
 */
export function reexecName(argv0: string = process.argv0, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (registered(argv0)) return argv0
  const fallback = env[REEXEC_ENV]
  return fallback !== undefined && registered(fallback) ? fallback : undefined
}

/**
 * Run the entry point `name` with the user arguments and return the exit status.
 * Failures are reported as `entrypoint failed: <name>: <message>` and give status 1.
 */
export async function dispatch(name: string, args: string[]): Promise<number> {
  // Grandchildren started by the initializer must not re-dispatch by inheritance.
  delete process.env[REEXEC_ENV]
  try {
    const loader = loaderOf(name)
    if (loader === undefined) throw new Error(`no reexec func registered under name "${name}"`)
    const initializer = await loader()
    const code = await initializer(args)
    if (code === undefined) return 0
    if (!Number.isInteger(code)) throw new Error(`invalid exit status: ${String(code)}`)
    return code
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`entrypoint failed: ${name}: ${message}\n`)
    return 1
  }
}

/**
 * The reexec dispatch every entry point uses (bin/run.js, the oclif init hooks, the single
 * executable): when this process was started as a registered entry point, run it and resolve its
 * exit status; otherwise undefined.
 */
export async function dispatchReexec(args: string[], argv0: string = process.argv0, env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const name = reexecName(argv0, env)
  return name === undefined ? undefined : dispatch(name, args)
}
