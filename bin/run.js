#!/usr/bin/env node
// Until the daemon installs its dump handler, SIGUSR1 must not start Node's inspector.
process.on('SIGUSR1', () => {})

// Fast paths before @oclif/core loads (importing it costs about twice a bare Node start):
// reexec children, a bare --version or --help and a plain daemon start never need the framework.
import {dispatch, fastHelpEligible, fastStartEligible, reexecName, versionLine} from '../lib/entry.bundle.js'

const name = reexecName()
const args = process.argv.slice(2)
if (name) {
  process.exitCode = await dispatch(name, args)
} else if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${versionLine()}\n`)
} else {
  let code
  if (fastHelpEligible(args)) {
    // Help text oclif rendered at build time, filled in for this host and terminal.
    const text = (await import('../lib/help-fast.bundle.js')).fastHelp()
    if (text !== undefined) {
      process.stdout.write(text)
      code = 0
    }
  } else if (fastStartEligible(args)) code = await (await import('../lib/fast-start.bundle.js')).fastStart(args)
  if (code === undefined) {
    const [{execute}, {settings}] = await Promise.all([import('@oclif/core/execute'), import('@oclif/core/settings')])
    // No ts-node/tsx at run time, and no "linked ESM module" warnings for linked plugins.
    settings.enableAutoTranspile = false
    await execute({dir: import.meta.url})
  } else {
    process.exitCode = code
  }
}

