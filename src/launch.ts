import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {oclifDataDir} from './platform/oclif-dirs.js'

// Decisions the entry points (bin/run.js, the single executable) take before any framework loads.
// Node builtins only: this runs on every start.

/** `--help`, `-h`, or a shorthand group containing h (`-Dh`), before `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') break
    if (a === '--help' || a === '-h' || (/^-[^-]/.test(a) && a.includes('h'))) return true
  }

  return false
}

/** Installed plugins are listed in oclif's user plugin file, `<dataDir>/package.json`. */
export function hasInstalledPlugins(env: NodeJS.ProcessEnv = process.env): boolean {
  const dataDir = oclifDataDir({env})
  try {
    const pjson = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8')) as {oclif?: {plugins?: unknown[]}}
    return (pjson.oclif?.plugins?.length ?? 0) > 0
  } catch {
    return false
  }
}

/**
 * A plain start (no help, no `plugins` word, no installed plugins to load, not forced through
 * oclif with DOCKERD_OCLIF=1) can skip loading @oclif/core: it runs the same parsing and start code.
 */
export function fastStartEligible(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DOCKERD_OCLIF !== '1' && argv[0] !== 'plugins' && !wantsHelp(argv) && !hasInstalledPlugins(env)
}

/**
 * A bare `--help` or `-h` (no installed plugins, whose flags only oclif knows; not forced through
 * oclif) can be answered from the text oclif rendered at build time (src/help-fast.ts).
 */
export function fastHelpEligible(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h') && env.DOCKERD_OCLIF !== '1' && !hasInstalledPlugins(env)
}
