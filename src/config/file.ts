import {closeSync, constants as fsConstants, fstatSync, openSync, readSync, type Stats} from 'node:fs'

import {JsonSyntaxError, type ParsedJson, parseJson, type Position} from './json.js'

/** A problem with the file itself (cannot be read or is not JSON), in dockerd's words. */
export class ConfigFileError extends Error {
  constructor(
    message: string,
    readonly position?: Position,
  ) {
    super(message)
  }
}

export interface ConfigFile extends ParsedJson {
  path: string
  value: Record<string, unknown>
}

/** Decodes by BOM like dockerd (UTF-8, UTF-16 LE/BE), refusing invalid UTF-8 with Go's message. */
export function decodeConfigBytes(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2))
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2))
  const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(body)
  } catch {
    throw new ConfigFileError(`failed to decode configuration JSON at offset ${Math.max(0, invalidUtf8Offset(body))}: encoding: invalid UTF-8`)
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
function invalidUtf8Offset(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1
    if (n < 0) return i
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i
    i += n + 1
  }

  return -1
}

/** daemon.json is a few KiB; this bounds what a mistaken path (a log, /dev/zero) can cost. */
export const CONFIG_FILE_MAX_BYTES = 4 << 20

const KIND: Array<[keyof Stats, string]> = [
  ['isFIFO', 'a named pipe'],
  ['isCharacterDevice', 'a character device'],
  ['isBlockDevice', 'a block device'],
  ['isSocket', 'a socket'],
]

/**
 * Reads a regular file of at most CONFIG_FILE_MAX_BYTES without ever blocking: O_NONBLOCK opens
 * a FIFO without waiting for a writer, and anything but a regular file is refused before a read.
 */
function readBounded(path: string): Buffer {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (st.isDirectory()) throw new ConfigFileError(`read ${path}: is a directory`)
    if (!st.isFile()) {
      const kind = KIND.find(([test]) => (st[test] as () => boolean).call(st))?.[1] ?? 'not a regular file'
      throw new ConfigFileError(`read ${path}: not a regular file (${kind})`)
    }

    const tooBig = () => new ConfigFileError(`read ${path}: the file is over ${CONFIG_FILE_MAX_BYTES} bytes, the limit for a configuration file`)
    if (st.size > CONFIG_FILE_MAX_BYTES) throw tooBig()
    // Read to EOF rather than trust st.size: the file may grow while we read.
    let buf = Buffer.allocUnsafe(Math.min(CONFIG_FILE_MAX_BYTES + 1, st.size + 4096))
    let n = 0
    for (let r; (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) {
      n += r
      if (n < buf.length) continue
      if (buf.length > CONFIG_FILE_MAX_BYTES) break
      const bigger = Buffer.allocUnsafe(CONFIG_FILE_MAX_BYTES + 1)
      buf.copy(bigger)
      buf = bigger
    }

    if (n > CONFIG_FILE_MAX_BYTES) throw tooBig()
    return Buffer.from(buf.subarray(0, n))
  } finally {
    closeSync(fd)
  }
}

/**
 * Reads daemon.json (§4.1): a missing file at the default path is "no file" (undefined); a missing
 * explicit file, a directory or unreadable file is an error naming it; empty means `{}`.
 */
export function readConfigFile(path: string, explicit: boolean): ConfigFile | undefined {
  let buf: Buffer
  try {
    buf = readBounded(path)
  } catch (error) {
    if (error instanceof ConfigFileError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !explicit) return undefined
    if (code === 'ENOENT') throw new ConfigFileError(`open ${path}: no such file or directory`)
    if (code === 'EISDIR') throw new ConfigFileError(`read ${path}: is a directory`)
    if (code === 'EACCES') throw new ConfigFileError(`open ${path}: permission denied`)
    throw new ConfigFileError(`open ${path}: ${(error as Error).message}`)
  }

  const text = decodeConfigBytes(buf)
  if (text.trim() === '') return {keys: new Map(), numbers: new Map(), path, value: {}}
  let parsed: ParsedJson
  try {
    parsed = parseJson(text)
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigFileError(`invalid JSON: ${error.message}`, error.position)
    throw error
  }

  const v = parsed.value
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    const kind = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v
    throw new ConfigFileError(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`, {column: 1, line: 1})
  }

  return {keys: parsed.keys, numbers: parsed.numbers, path, value: v as Record<string, unknown>}
}
