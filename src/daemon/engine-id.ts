import {closeSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync} from 'node:fs'
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

  const id = randomUUID()
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

/**
 * A random UUID v4 (as Go's uuid.New(): 16 bytes from the OS's random source) read from
 * /dev/urandom where there is one: node:crypto (about 5 % of a start, and 1 MiB resident) is
 * loaded for it only elsewhere (Windows).
 */
export function randomUUID(): string {
  let bytes = Buffer.alloc(16)
  try {
    const fd = openSync('/dev/urandom', 'r')
    try {
      if (readSync(fd, bytes, 0, 16, null) !== 16) throw new Error('short read')
    } finally {
      closeSync(fd)
    }
  } catch {
    bytes = (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomBytes(16)
  }

  bytes[6] = (bytes[6]! & 0x0f) | 0x40 // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // RFC 4122 variant
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
