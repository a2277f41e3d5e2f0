import {type ChildProcess, type SpawnOptions, spawn} from 'node:child_process'

import {REEXEC_ENV} from './dispatch.js'
import {runScript} from './self.js'

/**
 * Start this same program as the registered entry point `name` (moby's reexec.Command).
 *
 * The image is node itself (process.execPath, with our execArgv) running bin/run.js, not the
 * oclif shell/.cmd wrapper, which would drop argv0. argv0 carries the name as in Go; the
 * DOCKERD_REEXEC variable is the fallback where argv0 does not survive (Windows launchers,
 * SEA/pkg binaries).
 *
 * Unlike Go on Linux there is no Pdeathsig (SIGTERM when the parent dies): Node's spawn
 * cannot set PR_SET_PDEATHSIG.
 *
 * `options.script`: another program's bin script (a daemon built on this package re-executes its
 * own), default this package's bin/run.js. A child that must not outlive the daemon has to watch for it
 * itself (e.g. stdin/IPC closing) or be killed by the parent on shutdown.
 */
export function command(name: string, args: string[] = [], options: SpawnOptions & {script?: string} = {}): ChildProcess {
  const {script = runScript(), ...spawnOptions} = options
  return spawn(process.execPath, [...process.execArgv, script, ...args], {
    ...spawnOptions,
    argv0: name,
    env: {...(options.env ?? process.env), [REEXEC_ENV]: name},
  })
}
