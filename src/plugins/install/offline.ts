import {randomBytes} from 'node:crypto'
import {cp, lstat, mkdir, readFile, rename, rm, rmdir, stat} from 'node:fs/promises'
import {basename, dirname, join, resolve, sep} from 'node:path'

import {isDirectory} from './archive-arg.js'
import {runUntar} from './run-untar.js'
import {addUserPlugin, readUserPJSON} from './user-pjson.js'

export interface OfflineInstallOptions {
  dataDir: string
  /** The root CLI's package name (refused as a plugin; written first in the user package.json). */
  rootName: string
  /** Unpacks archive into dest; the re-exec'd `dockerd-untar` child by default. */
  unpack?: (archive: string, dest: string) => Promise<void>
  /** Told each step as it starts (`unpacking`, `checking the package`, ...), for progress output. */
  onStep?: (step: string) => void
}

export interface InstalledPlugin {
  name: string
  root: string
  version: string
  /** Non-fatal findings (dependencies the archive does not bundle). */
  warnings: string[]
}

// npm's rules for new package names, plus a leading letter/digit/~/- (never "." or "..").
const PACKAGE_NAME = /^(?:@[a-z\d~-][a-z\d._~-]*\/)?[a-z\d~-][a-z\d._~-]*$/i
const VERSION = /^\d+\.\d+\.\d+(?:[-+][\w.+-]*)?$/

/**
 * Installs a plugin from a local archive without npm or a network (air-gapped hosts): the
 * archive is unpacked by the `dockerd-untar` child into a staging directory under
 * `<dataDir>/node_modules`, its package.json checked (a name, a version, an `oclif` key), the
 * result moved to `node_modules/<name>` and recorded in `<dataDir>/package.json`.
 * On any failure nothing is left behind: the data dir is as it was.
 */
export async function installArchive(archive: string, opts: OfflineInstallOptions): Promise<InstalledPlugin> {
  if (!(await statOrUndefined(archive))?.isFile()) throw new Error(`${archive}: ${(await exists(archive)) ? 'not a regular file' : 'no such file'}`)
  return installLocal(archive, opts.unpack ?? runUntar, 'unpacking', opts)
}

/**
 * Installs a plugin from a local directory (a checkout, an unpacked package) the same way, as a
 * copy: what `npm install <dir>` would make a symlink to. `.git` is left out; `node_modules` is
 * copied, so a directory with its dependencies installed needs no network either.
 */
export async function installDirectory(dir: string, opts: Omit<OfflineInstallOptions, 'unpack'>): Promise<InstalledPlugin> {
  if (!(await statOrUndefined(dir))?.isDirectory()) throw new Error(`${dir}: ${(await exists(dir)) ? 'not a directory' : 'no such directory'}`)
  const data = resolve(opts.dataDir)
  // The copy goes under the data dir: a source holding it would copy itself without end.
  if (data === dir || data.startsWith(dir + sep)) throw new Error(`${dir}: holds the plugin data directory ${opts.dataDir}; install from another directory`)
  const copy = (src: string, dest: string) => cp(src, dest, {filter: (p) => basename(p) !== '.git', recursive: true, verbatimSymlinks: true})
  return installLocal(dir, copy, 'copying', opts)
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path)
  } catch {
    return undefined
  }
}

async function installLocal(
  archive: string,
  unpack: (source: string, dest: string) => Promise<void>,
  unpacking: string,
  opts: OfflineInstallOptions,
): Promise<InstalledPlugin> {
  const step = opts.onStep ?? (() => {})
  // Fail early, before anything is written, on a user package.json we could not update.
  await readUserPJSON(opts.dataDir)

  const modules = join(opts.dataDir, 'node_modules')
  const created: string[] = []
  let undo: (() => Promise<void>) | undefined
  const staging = join(modules, `.dockerd-install-${randomBytes(6).toString('hex')}`)
  try {
    await makeDirs([opts.dataDir, modules], created)
    step(unpacking)
    try {
      await unpack(archive, staging)
    } catch (error) {
      throw new Error(`${archive}: ${(error as Error).message}`)
    }

    step('checking the package')
    const pjson = await readPluginPJSON(archive, staging)
    const name = pjson.name
    if (name === opts.rootName) throw new Error(`${archive}: ${name} is this CLI itself, not a plugin`)
    const target = join(modules, ...name.split('/'))
    await makeDirs([dirname(target)], created)

    const warnings: string[] = []
    // Offline there is no npm to fetch dependencies: they must come bundled in the archive.
    const missing = Object.keys(pjson.dependencies ?? {})
      .filter((d) => !PACKAGE_NAME.test(d) || !isDirectory(join(staging, 'node_modules', ...d.split('/'))))
      .sort()
    if (missing.length > 0) {
      warnings.push(`${name}: dependencies not bundled in ${basename(archive)}, the plugin may fail to load: ${missing.join(', ')}`)
    }

    step('recording it')
    const swap = await swapIn(staging, target)
    undo = swap.rollback
    await addUserPlugin(opts.dataDir, opts.rootName, {name, version: pjson.version})
    undo = undefined
    await swap.commit()
    return {name, root: target, version: pjson.version, warnings}
  } catch (error) {
    await undo?.().catch(() => {})
    await rm(staging, {force: true, recursive: true})
    for (const dir of created.reverse()) await rmdir(dir).catch(() => {})
    throw error
  }
}

interface PluginPJSON {
  dependencies?: Record<string, string>
  name: string
  oclif: Record<string, unknown>
  version: string
}

async function readPluginPJSON(archive: string, root: string): Promise<PluginPJSON> {
  let text: string
  try {
    text = await readFile(join(root, 'package.json'), 'utf8')
  } catch {
    throw new Error(`${archive}: not a plugin package: it has no package.json`)
  }

  let pjson: Record<string, unknown>
  try {
    pjson = JSON.parse(text) as Record<string, unknown>
  } catch (error) {
    throw new Error(`${archive}: package.json is not valid JSON: ${(error as Error).message}`)
  }

  const {name, oclif, version} = pjson
  if (typeof name !== 'string' || name.length > 214 || !PACKAGE_NAME.test(name)) {
    throw new Error(`${archive}: package.json has an invalid package name ${JSON.stringify(name)}`)
  }

  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new Error(`${archive}: package.json has an invalid version ${JSON.stringify(version)}`)
  }

  if (typeof oclif !== 'object' || oclif === null || Array.isArray(oclif)) {
    throw new Error(`${archive}: ${name} is not a dockerd plugin: its package.json has no "oclif" key`)
  }

  const deps = pjson.dependencies
  return {
    dependencies: typeof deps === 'object' && deps !== null ? (deps as Record<string, string>) : undefined,
    name,
    oclif: oclif as Record<string, unknown>,
    version,
  } as PluginPJSON
}

/** mkdir each missing dir (parents first), remembering the ones this call created. */
async function makeDirs(dirs: string[], created: string[]): Promise<void> {
  for (const dir of dirs) {
    const missing: string[] = []
    for (let d = dir; !(await exists(d)); d = dirname(d)) {
      missing.unshift(d)
      if (dirname(d) === d) break
    }

    for (const d of missing) {
      await mkdir(d)
      created.push(d)
    }
  }
}

/** Moves staging to target; an earlier install is kept aside until commit (or put back by rollback). */
async function swapIn(staging: string, target: string): Promise<{commit(): Promise<void>; rollback(): Promise<void>}> {
  const old = (await exists(target)) ? join(dirname(target), `.${basename(target)}-old-${randomBytes(4).toString('hex')}`) : undefined
  if (old) await rename(target, old)
  try {
    await rename(staging, target)
  } catch (error) {
    if (old) await rename(old, target)
    throw error
  }

  return {
    async commit() {
      if (old) await rm(old, {force: true, recursive: true})
    },
    async rollback() {
      await rm(target, {force: true, recursive: true})
      if (old) await rename(old, target)
    },
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

