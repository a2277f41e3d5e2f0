import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {OCLIF_BIN, OCLIF_DIRNAME, oclifDataDir} from './platform/oclif-dirs.js'

// Decisions the entry points (bin/run.js, the single executable) take before any framework loads.
// Node builtins only: this runs on every start.

/** What an entry point must know of its daemon before loading it: package.json's `oclif` names and its subcommands. */
export interface Launch {
  /** `oclif.bin` and `oclif.dirname`: they name the data directory installed plugins live in. */
  bin: string
  dirname: string
  /** First words routed through oclif (a subcommand), never a daemon start; with their help line. */
  subcommands: Readonly<Record<string, string>>
}

export const DOCKERD_LAUNCH: Launch = {
  bin: OCLIF_BIN,
  dirname: OCLIF_DIRNAME,
  subcommands: {plugins: 'Manage plugins: install, link, ls, uninstall'},
}

/** `--help`, `-h`, or a shorthand group containing h (`-Dh`), before `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') break
    if (a === '--help' || a === '-h' || (/^-[^-]/.test(a) && a.includes('h'))) return true
  }

  return false
}

/** Installed plugins are listed in oclif's user plugin file, `<dataDir>/package.json`. */
export function hasInstalledPlugins(env: NodeJS.ProcessEnv = process.env, launch: Launch = DOCKERD_LAUNCH): boolean {
  const dataDir = oclifDataDir({bin: launch.bin, dirname: launch.dirname, env})
  try {
    const pjson = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8')) as {oclif?: {plugins?: unknown[]}}
    return (pjson.oclif?.plugins?.length ?? 0) > 0
  } catch {
    return false
  }
}

/** `<BIN>_OCLIF=1` forces the oclif path (DOCKERD_OCLIF for dockerd): tests run both paths. */
function forcedOclif(env: NodeJS.ProcessEnv, launch: Launch): boolean {
  return env[`${launch.bin.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_')}_OCLIF`] === '1'
}

/**
 * A plain start (no help, no subcommand word, no installed plugins to load, not forced through
 * oclif) can skip loading @oclif/core: it runs the same pipeline (src/pipeline.ts) as the command.
 */
export function fastStartEligible(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, launch: Launch = DOCKERD_LAUNCH): boolean {
  return !forcedOclif(env, launch) && !Object.hasOwn(launch.subcommands, argv[0] ?? '') && !wantsHelp(argv) && !hasInstalledPlugins(env, launch)
}

/**
 * A bare `--help` or `-h` (no installed plugins, whose flags only oclif knows; not forced through
 * oclif) can be answered from the text oclif rendered at build time (src/help-fast.ts).
 */
export function fastHelpEligible(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, launch: Launch = DOCKERD_LAUNCH): boolean {
  return argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h') && !forcedOclif(env, launch) && !hasInstalledPlugins(env, launch)
}
