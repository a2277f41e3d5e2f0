import {accessSync, constants, existsSync, statSync} from 'node:fs'
import {basename, delimiter, dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {hostOS, platformOf} from '../platform/platform.js'
import type {TargetPlatform} from '../platform/target.js'
import type {Platform} from '../platform/types.js'

/**
 * The executable to re-run, as moby's reexec.Self(): `/proc/self/exe` on Linux (immune to
 * the binary being renamed or argv[0] being odd), naive resolution elsewhere.
 * For a Node program this is the node binary; see runScript() for the script it needs.
 */
export function self(): string {
  return hostOS()?.procSelfExe ? '/proc/self/exe' : naiveSelf()
}

/**
 * moby's naiveSelf: a bare name found on PATH gives that path; otherwise the absolute form
 * of argv0 (relative to cwd).
 */
export function naiveSelf(
  argv0: string = process.argv0,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
  platform: Platform | TargetPlatform | undefined = hostOS(),
): string {
  if (basename(argv0) === argv0) {
    const found = lookPath(argv0, env, platform !== undefined && platformOf(platform).windowsExecutables)
    if (found !== undefined) return found
  }

  return resolve(cwd, argv0)
}

// exec.LookPath, reduced: executable regular files only; empty PATH entries are skipped as
// Go (since 1.19) refuses results relative to the current directory.
function lookPath(name: string, env: NodeJS.ProcessEnv, win: boolean): string | undefined {
  if (name === '') return undefined
  const path = (win ? env.Path ?? env.PATH : env.PATH) ?? ''
  const exts = win ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : ['']
  const hasExt = win && exts.some(e => name.toLowerCase().endsWith(e.toLowerCase()))
  for (const dir of path.split(win ? ';' : delimiter)) {
    if (dir === '') continue
    for (const ext of hasExt ? [''] : exts) {
      const candidate = join(dir, name + ext)
      if (isExecutable(candidate, win)) return candidate
    }
  }

  return undefined
}

function isExecutable(file: string, win: boolean): boolean {
  try {
    if (!statSync(file).isFile()) return false
    if (!win) accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Absolute path of this package's `bin/run.js`, the script node must run for a re-exec.
 * This file compiles to `lib/reexec/self.js` (and sits at `src/reexec/self.ts` under tsx).
 */
export function runScript(): string {
  return join(packageRoot(), 'bin', 'run.js')
}

/**
 * The package root (where bin/run.js is). Found by walking up rather than by a fixed depth: this
 * module also runs bundled (lib/fast-start.bundle.cjs, lib/oclif.bundle.js and its chunks).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'bin', 'run.js'))) return dir
    dir = dirname(dir)
  }

  return fileURLToPath(new URL('../..', import.meta.url))
}

/** Imports a module of lib/ by path: bundlers leave it alone, so its imports load only when used. */
export async function importLib<T>(relative: string): Promise<T> {
  const {pathToFileURL} = await import('node:url')
  return (await import(pathToFileURL(join(packageRoot(), 'lib', relative)).href)) as T
}
