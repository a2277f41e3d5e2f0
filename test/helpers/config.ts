import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {loadConfig} from '../../src/config/load.js'
import {renderProblems} from '../../src/config/render.js'
import type {FlagValues, LoadResult} from '../../src/config/types.js'
import {normalizeArgv, toFlagValues} from '../../src/options/argv.js'
import {optionTable} from '../../src/options/index.js'
import type {TargetPlatform} from '../../src/platform/target.js'

/** What oclif makes of normalised argv (the same function the fast start path uses). */
export function flagsFrom(argv: string[], platform: TargetPlatform = 'linux'): FlagValues {
  const table = optionTable(platform, [])
  return toFlagValues(normalizeArgv(argv, table).argv, table)
}

export interface Case {
  argv?: string[]
  env?: NodeJS.ProcessEnv
  /** daemon.json content; undefined = no file. */
  file?: string | Buffer
  platform?: TargetPlatform
}

/** Runs the whole load path on a temp daemon.json; returns the result and the rendered problems. */
export function load(c: Case): LoadResult & {text: string} {
  const platform = c.platform ?? 'linux'
  const dir = mkdtempSync(join(tmpdir(), 'dockerd-cfg-'))
  try {
    const path = join(dir, 'daemon.json')
    if (c.file !== undefined) writeFileSync(path, c.file)
    const env = {HOME: dir, PATH: '', ...c.env}
    const result = loadConfig({
      configFile: c.file === undefined ? '' : path,
      configFileExplicit: c.file !== undefined,
      defaults: {env, platform, rootless: false},
      flags: flagsFrom(c.argv ?? [], platform),
      table: optionTable(platform, []),
    })
    return {...result, text: result.problems.length > 0 ? renderProblems(result.problems).replaceAll(path, '<file>') : ''} as LoadResult & {text: string}
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}
