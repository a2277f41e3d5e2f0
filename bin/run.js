#!/usr/bin/env node
// Until the daemon installs its dump handler, SIGUSR1 must not start Node's inspector.
process.on('SIGUSR1', () => {})

// Fast paths before @oclif/core loads (importing it costs about twice a bare Node start):
// reexec children and a bare --version never need the framework.
import '../lib/reexec/builtin.js'
import {dispatch, reexecName} from '../lib/reexec/dispatch.js'
import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

const name = reexecName()
const args = process.argv.slice(2)
if (name) {
  process.exitCode = await dispatch(name, args)
} else if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const {versionLine} = await import('../lib/version.js')
  process.stdout.write(`${versionLine()}\n`)
} else {
  const code = fastStartEligible(args) ? await (await import('../lib/fast-start.bundle.js')).fastStart(args) : undefined
  if (code === undefined) {
    const [{execute}, {settings}] = await Promise.all([import('@oclif/core/execute'), import('@oclif/core/settings')])
    // No ts-node/tsx at run time, and no "linked ESM module" warnings for linked plugins.
    settings.enableAutoTranspile = false
    await execute({dir: import.meta.url})
  } else {
    process.exitCode = code
  }
}

/**
 * A plain start (no help, no `plugins` word, no installed plugins to load, not forced through
 * oclif with DOCKERD_OCLIF=1) skips loading @oclif/core; it runs the same parsing and start code.
 */
function fastStartEligible(argv) {
  if (process.env.DOCKERD_OCLIF === '1' || argv[0] === 'plugins' || hasInstalledPlugins()) return false
  for (const a of argv) {
    if (a === '--') break
    if (a === '--help' || a === '-h' || (/^-[^-]/.test(a) && a.includes('h'))) return false
  }

  return true
}

/** Installed plugins are loaded by oclif: their presence sends the start through it. */
function hasInstalledPlugins() {
  const env = process.env
  const dataDir = env.DOCKERD_DATA_DIR || join(env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share'), 'dockerd')
  try {
    const pjson = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8'))
    return (pjson.oclif?.plugins?.length ?? 0) > 0
  } catch {
    return false
  }
}
