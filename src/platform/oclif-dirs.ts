// oclif's user data directory: where `dockerd plugins install` writes and from which oclif loads
// installed plugins. Derived by oclif's own rules (Config.load: `<BIN>_DATA_DIR`, else dir('data'))
// so the fast start path, which decides whether plugins need oclif at all, looks where oclif will.
// Node builtins only: this runs on every start.
import {homedir, tmpdir} from 'node:os'
import {posix, win32} from 'node:path'

import {hostPlatform} from './target.js'

/** package.json `oclif.bin` and `oclif.dirname` (a test holds these to package.json). */
export const OCLIF_BIN = 'dockerd'
export const OCLIF_DIRNAME = 'dockerd'

export interface OclifDirsInput {
  bin?: string
  dirname?: string
  env?: NodeJS.ProcessEnv
  /** os.homedir(), replaceable for tests. */
  homedir?: () => string
  platform?: NodeJS.Platform
}

/** oclif's scopedEnvVarKey: `<bin>_<key>`, `@` dropped, `/` and `-` as `_`, upper case. */
export function oclifScopedEnvVarKey(bin: string, key: string): string {
  return [bin, key]
    .map((p) => p.replaceAll('@', '').replaceAll(/[/-]/g, '_'))
    .join('_')
    .toUpperCase()
}

/**
 * oclif's Config.dataDir: `$<BIN>_DATA_DIR`, else `$XDG_DATA_HOME/<dirname>`, else on Windows
 * `%LOCALAPPDATA%\<dirname>`, else `<home>/.local/share/<dirname>`; home is `$HOME`, on Windows
 * `%HOMEDRIVE%%HOMEPATH%` or `%USERPROFILE%`, then os.homedir(), then the temp directory.
 * Empty variables count as unset, as oclif's `||` does.
 */
export function oclifDataDir(input: OclifDirsInput = {}): string {
  const {bin = OCLIF_BIN, env = process.env, homedir: osHome = homedir, platform = hostPlatform()} = input
  const scoped = env[oclifScopedEnvVarKey(bin, 'DATA_DIR')]
  if (scoped) return scoped
  const windows = platform === 'win32'
  const {join} = windows ? win32 : posix
  const windowsHome = () => (env.HOMEDRIVE && env.HOMEPATH && join(env.HOMEDRIVE, env.HOMEPATH)) || env.USERPROFILE
  const home = env.HOME || (windows && windowsHome()) || osHome() || tmpdir()
  const base = env.XDG_DATA_HOME || (windows && env.LOCALAPPDATA) || join(home, '.local/share')
  const dirname = input.dirname ?? OCLIF_DIRNAME
  return join(base, windows ? dirname.replace('/', '\\') : dirname)
}
