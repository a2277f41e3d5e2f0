import {randomBytes} from 'node:crypto'
import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

/** One entry of `<dataDir>/package.json` `oclif.plugins`, as @oclif/plugin-plugins records it. */
export type UserPluginEntry =
  | {name: string; root: string; type: 'link'}
  | {name: string; tag?: string; type: 'user'; url?: string}

export interface UserPJSON {
  [key: string]: unknown
  dependencies?: Record<string, string>
  oclif: {[key: string]: unknown; plugins: UserPluginEntry[]; schema?: number}
  private?: boolean
}

// plugin-plugins' initPJSON: the same keys in the same order, so both writers agree.
const initPJSON = (): UserPJSON => ({dependencies: {}, oclif: {plugins: [], schema: 1}, private: true})

export function userPJSONPath(dataDir: string): string {
  return join(dataDir, 'package.json')
}

/** The user plugins file, normalised as plugin-plugins reads it (string entries → user@latest). */
export async function readUserPJSON(dataDir: string): Promise<UserPJSON> {
  const path = userPJSONPath(dataDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return initPJSON()
    throw error
  }

  let parsed: Partial<UserPJSON>
  try {
    parsed = JSON.parse(text) as Partial<UserPJSON>
  } catch (error) {
    throw new Error(`${path}: invalid JSON: ${(error as Error).message}`)
  }

  const base = initPJSON()
  const plugins = ((parsed.oclif?.plugins ?? []) as Array<string | UserPluginEntry>).map((p) =>
    typeof p === 'string' ? ({name: p, tag: 'latest', type: 'user'} as const) : p,
  )
  return {...base, ...parsed, oclif: {...base.oclif, ...parsed.oclif, plugins}}
}

/**
 * Records an installed user plugin the way plugin-plugins does after `npm install`: an
 * `oclif.plugins` entry `{name, tag, type: 'user'}` and the dependency npm would have saved.
 * An earlier entry of the same name (user or link) is replaced. Written atomically, with the
 * root CLI's name first, as plugin-plugins' savePJSON writes it.
 */
export async function addUserPlugin(dataDir: string, rootName: string, plugin: {name: string; version: string}): Promise<void> {
  const pjson = await readUserPJSON(dataDir)
  const plugins = pjson.oclif.plugins.filter((p) => p.name !== plugin.name)
  plugins.push({name: plugin.name, tag: plugin.version, type: 'user'})
  await saveUserPJSON(dataDir, rootName, {
    ...pjson,
    // The exact version: npm then sees the unpacked copy as satisfying it and never refetches
    // it (or anything of that name from a registry) when other plugins are installed or removed.
    dependencies: {...pjson.dependencies, [plugin.name]: plugin.version},
    oclif: {...pjson.oclif, plugins},
  })
}

export async function saveUserPJSON(dataDir: string, rootName: string, pjson: UserPJSON): Promise<void> {
  await mkdir(dataDir, {recursive: true})
  const path = userPJSONPath(dataDir)
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(tmp, JSON.stringify({name: rootName, ...pjson}, null, 2))
    await rename(tmp, path)
  } catch (error) {
    await rm(tmp, {force: true})
    throw error
  }
}
