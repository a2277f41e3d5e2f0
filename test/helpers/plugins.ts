import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** A plugin package in `dir/name` whose dockerd:plugin hook is `body` (an ES module). */
export function plugin(dir: string, name: string, body: string): string {
  const root = join(dir, name)
  mkdirSync(root, {recursive: true})
  writeFileSync(join(root, 'package.json'), JSON.stringify({name, oclif: {hooks: {'dockerd:plugin': './plugin.js'}}, type: 'module', version: '1.0.0'}))
  writeFileSync(join(root, 'plugin.js'), body)
  return root
}

/** An oclif data directory `dir/name` linking the plugins at `roots`; the env that selects it. */
export function linkedDataDir(dir: string, name: string, roots: readonly string[]): {DOCKERD_DATA_DIR: string} {
  const data = join(dir, name)
  mkdirSync(data)
  writeFileSync(
    join(data, 'package.json'),
    JSON.stringify({oclif: {plugins: roots.map((root) => ({name: root.split('/').pop(), root, type: 'link'})), schema: 1}, private: true}),
  )
  return {DOCKERD_DATA_DIR: data}
}
