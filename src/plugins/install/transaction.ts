import {randomBytes} from 'node:crypto'
import {cp, lstat, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'

/** The part of @oclif/plugin-plugins' Plugins class whose failure handling is replaced here. */
interface PluginsClass {
  prototype: {
    install(this: PluginsInstance, name: string, opts?: unknown): Promise<unknown>
    uninstall(this: PluginsInstance, name: string): Promise<void>
    update(this: PluginsInstance): Promise<void>
  }
}

interface PluginsInstance {
  config: {dataDir: string}
  uninstall(name: string): Promise<void>
}

/** What a failed npm install may have changed in the data dir, as it was before. */
export interface DataDirSnapshot {
  restore(): Promise<void>
  discard(): Promise<void>
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  )
}

/**
 * Takes what `restore()` needs to put the data dir back: the user plugin file and npm's lock (the
 * installed and linked plugins are listed there), and a copy of `node_modules/<name>` when a
 * plugin of that name is installed (npm replaces it before the new one can be checked). A data dir
 * that did not exist is removed again.
 */
export async function snapshotDataDir(dataDir: string, name?: string): Promise<DataDirSnapshot> {
  if (!(await exists(dataDir))) {
    return {discard: async () => {}, restore: () => rm(dataDir, {force: true, recursive: true})}
  }

  const files = ['package.json', 'package-lock.json'].map((f) => join(dataDir, f))
  const texts = await Promise.all(files.map((f) => readOrUndefined(f)))
  // An npm name (not a URL or path): where npm puts it.
  const target = name && !name.includes(':') && !name.startsWith('.') ? join(dataDir, 'node_modules', ...name.split('/')) : undefined
  const hadTarget = target !== undefined && (await exists(target))
  const kept = hadTarget ? join(dirname(target), `.dockerd-keep-${randomBytes(4).toString('hex')}`) : undefined
  if (kept) await cp(target!, kept, {recursive: true, verbatimSymlinks: true})
  return {
    discard: async () => {
      if (kept) await rm(kept, {force: true, recursive: true})
    },
    async restore() {
      for (const [i, file] of files.entries()) {
        const text = texts[i]
        if (text === undefined) await rm(file, {force: true})
        else await writeFile(file, text)
      }

      if (target) {
        await rm(target, {force: true, recursive: true})
        if (kept) await rename(kept, target)
      }
    },
  }
}

/**
 * plugin-plugins answers a failed `install NAME` with `uninstall NAME`, which removes whatever is
 * installed or linked under that name (a user's linked plugin, an earlier working version): data
 * loss for a typo or a network error. Around `fn`, its install and update restore the data dir as
 * it was instead (the user plugin file, npm's lock, the plugin of that name, a data dir that did
 * not exist); dependencies npm hoisted beside a replaced plugin are not put back. Patched on the class the plugins commands import (loaded from `root`).
 */
export async function withInstallRollback<T>(root: string, dataDir: string, fn: () => Promise<T>): Promise<T> {
  const index = createRequire(join(root, 'package.json')).resolve('@oclif/plugin-plugins')
  const {default: Plugins} = (await import(pathToFileURL(join(dirname(index), 'plugins.js')).href)) as {default: PluginsClass}
  const proto = Plugins.prototype
  const {install, update} = proto
  const guarded = async (self: PluginsInstance, name: string | undefined, work: () => Promise<unknown>): Promise<unknown> => {
    const snapshot = await snapshotDataDir(self.config.dataDir, name)
    // An own property shadows the prototype's for this instance only.
    self.uninstall = async () => {}
    try {
      return await work()
    } catch (error) {
      await snapshot.restore()
      throw error
    } finally {
      delete (self as Partial<PluginsInstance>).uninstall
      await snapshot.discard()
    }
  }

  proto.install = function (name, opts) {
    return guarded(this, name, () => install.call(this, name, opts))
  }

  proto.update = function () {
    return guarded(this, undefined, () => update.call(this)) as Promise<void>
  }

  // The command itself writes before it installs (a fresh data dir's package.json, when it looks
  // the name up): a failed command as a whole leaves the data dir as it found it too.
  const whole = await snapshotDataDir(dataDir)
  try {
    return await fn()
  } catch (error) {
    await whole.restore()
    throw error
  } finally {
    proto.install = install
    proto.update = update
    await whole.discard()
  }
}
