import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import {goPathError} from './dirs.js'

/**
 * `<data-root>/engine-id` (§6.8, TestConfigDaemonID): an existing non-empty file is reused
 * (trimmed), so an operator can pin the ID; otherwise a UUID v4 is written 0600, atomically so
 * a crash never leaves an empty ID behind. The data root must already exist.
 */
export function loadOrCreateEngineID(dataRoot: string): string {
  const path = join(dataRoot, 'engine-id')
  try {
    const id = readFileSync(path, 'utf8').trim()
    if (id !== '') return id
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`failed to read engine ID: ${goPathError('open', path, error)}`)
    }
  }

  // node:crypto only when an ID is made (once per data root), not with every start.
  const id = (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomUUID()
  const tmp = `${path}.tmp-${process.pid}`
  try {
    writeFileSync(tmp, id, {mode: 0o600})
    renameSync(tmp, path)
  } catch (error) {
    rmSync(tmp, {force: true})
    // Named by the final path: the temporary name means nothing to the user.
    throw new Error(`failed to create engine ID: ${goPathError('open', path, error)}`)
  }

  return id
}
