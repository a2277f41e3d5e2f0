import {constants, createReadStream} from 'node:fs'
import {chmod, lstat, mkdir, open, readdir, rm, stat, unlink} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import type {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'

/**
 * A small, strict tar reader for installing plugin archives (npm `.tgz` and plain tar):
 * ustar, GNU long names (`L`/`K`) and pax headers (`path`, `linkpath`, `size`), gzip via zlib.
 *
 * Only regular files and directories are written. Every link (symbolic or hard) is refused, as are
 * devices, FIFOs and unknown types: npm itself never installs links from a package tarball
 * (pacote drops them), and without links nothing can be written through one or point outside
 * the destination. Paths must be relative, without `..`. The first path component is stripped, as
 * npm does (`package/`). Sizes are bounded so a bomb is refused before it is written.
 * On refusal or error everything written is removed: the destination is left as it was found.
 */

/** Limits; the defaults suit plugin packages. */
export interface UntarLimits {
  /** Total bytes of file content (default 512 MiB). */
  maxBytes: number
  /** Number of entries, headers included (default 200 000). */
  maxEntries: number
  /** One pax extended header or GNU long name (default 1 MiB). */
  maxMetaBytes: number
}

export const DEFAULT_LIMITS: UntarLimits = {maxBytes: 512 * 1024 * 1024, maxEntries: 200_000, maxMetaBytes: 1024 * 1024}

export interface UntarResult {
  bytes: number
  directories: number
  files: number
}

/** A refused archive: `entry` is the name as the archive gives it (after pax/GNU overrides). */
export class UntarError extends Error {
  readonly entry: string | undefined

  constructor(reason: string, entry?: string) {
    super(entry === undefined ? reason : `refused entry ${JSON.stringify(entry)}: ${reason}`)
    this.entry = entry
    this.name = 'UntarError'
  }
}

const BLOCK = 512
// Kept bits: no setuid/setgid/sticky, and no group/other write on code the daemon will run.
const MODE_MASK = 0o755

const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  S: 'GNU sparse file',
  V: 'GNU volume header',
  M: 'GNU multi-volume continuation',
  N: 'GNU old long name',
  D: 'GNU dump directory',
}

/**
 * Unpacks `archive` into `destDir` (created if missing; it must be empty if it exists).
 * Throws UntarError on a refused archive, after removing what it wrote.
 */
export async function untar(archive: string, destDir: string, limits: Partial<UntarLimits> = {}): Promise<UntarResult> {
  const lim = {...DEFAULT_LIMITS, ...limits}
  const info = await stat(archive)
  if (!info.isFile()) throw new UntarError(`${archive} is not a regular file`)
  const dest = resolve(destDir)
  const source = await openArchive(archive)
  let created: boolean
  try {
    created = await prepareDest(dest)
  } catch (error) {
    source.destroy()
    throw error
  }

  try {
    const result = await extract(source, dest, lim)
    // Created 0700 so nothing else can race into it while unpacking; readable once complete.
    if (created) await chmod(dest, 0o755)
    return result
  } catch (error) {
    await cleanDest(dest, created)
    const code = (error as NodeJS.ErrnoException).code
    if (typeof code === 'string' && code.startsWith('Z_')) throw new UntarError(`corrupt gzip data: ${(error as Error).message}`)
    throw error
  } finally {
    source.destroy()
  }
}

/** The `dockerd-untar` reexec initializer: `<archive> <destDir>`; refusals on stderr, status 1. */
export async function untarMain(args: string[]): Promise<number> {
  if (args.length !== 2) {
    process.stderr.write('usage: dockerd-untar <archive> <destDir>\n')
    return 2
  }

  const [archive, dest] = args as [string, string]
  try {
    await untar(archive, dest)
    return 0
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    await new Promise<void>((done) => {
      process.stderr.write(`${message}\n`, () => done())
    })
    return 1
  }
}

async function prepareDest(dest: string): Promise<boolean> {
  try {
    const st = await lstat(dest)
    if (!st.isDirectory()) throw new UntarError(`destination ${dest} is not a directory`)
    if ((await readdir(dest)).length > 0) throw new UntarError(`destination ${dest} is not empty`)
    return false
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    await mkdir(dest, {mode: 0o700})
    return true
  }
}

async function cleanDest(dest: string, created: boolean): Promise<void> {
  if (created) {
    await rm(dest, {force: true, recursive: true})
    return
  }

  // It was empty when we started: everything in it is ours. rm never follows links.
  for (const name of await readdir(dest).catch(() => [])) {
    await rm(join(dest, name), {force: true, recursive: true})
  }
}

/** The archive as a stream of tar bytes: gunzipped when it starts with gzip's magic. */
async function openArchive(archive: string): Promise<Readable> {
  const fh = await open(archive, 'r')
  const magic = Buffer.alloc(6)
  try {
    await fh.read(magic, 0, 6, 0)
  } finally {
    await fh.close()
  }

  const file = createReadStream(archive)
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    const gunzip = createGunzip()
    // gunzip starts inflating before the reader iterates; a corrupt stream may fail in between.
    // The reader's iterator still gets that error (stream.errored): this listener only keeps it
    // from being an unhandled 'error' event that would kill the process.
    gunzip.on('error', () => {})
    file.on('error', (error) => gunzip.destroy(error))
    gunzip.on('close', () => file.destroy())
    return file.pipe(gunzip)
  }

  if (magic.subarray(0, 3).toString('latin1') === 'BZh') throw new UntarError(`${archive}: bzip2 archives are not supported (use gzip)`)
  if (magic.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) throw new UntarError(`${archive}: xz archives are not supported (use gzip)`)
  return file
}

/** Reads exact byte counts from a stream without buffering more than one chunk ahead. */
class ByteReader {
  private chunks: Buffer[] = []
  private buffered = 0
  private ended = false
  private readonly it: AsyncIterator<Buffer>

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]()
  }

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.ended) await this.pull()
    return this.take(Math.min(n, this.buffered))
  }

  /** Between 1 and n bytes (n > 0), or an empty buffer at the end of the stream. */
  async readSome(n: number): Promise<Buffer> {
    if (this.buffered === 0 && !this.ended) await this.pull()
    return this.take(Math.min(n, this.buffered))
  }

  private async pull(): Promise<void> {
    const r = await this.it.next()
    if (r.done) this.ended = true
    else if (r.value.length > 0) {
      this.chunks.push(r.value)
      this.buffered += r.value.length
    }
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0)
    const first = this.chunks[0]!
    if (first.length === n) {
      this.chunks.shift()
      this.buffered -= n
      return first
    }

    if (first.length > n) {
      this.chunks[0] = first.subarray(n)
      this.buffered -= n
      return first.subarray(0, n)
    }

    const out = Buffer.allocUnsafe(n)
    let off = 0
    while (off < n) {
      const c = this.chunks[0]!
      const k = Math.min(c.length, n - off)
      c.copy(out, off, 0, k)
      off += k
      if (k === c.length) this.chunks.shift()
      else this.chunks[0] = c.subarray(k)
    }

    this.buffered -= n
    return out
  }
}

interface Header {
  linkname: string
  mode: number
  name: string
  size: number
  type: string
}

interface Pending {
  linkpath?: string
  path?: string
  size?: number
}

async function extract(stream: Readable, dest: string, lim: UntarLimits): Promise<UntarResult> {
  const reader = new ByteReader(stream)
  const result: UntarResult = {bytes: 0, directories: 0, files: 0}
  const dirs = new Map<string, number>() // relative dir -> mode to apply at the end
  let pending: Pending = {}
  let entries = 0

  for (;;) {
    const block = await reader.read(BLOCK)
    if (block.length === 0) break // no end-of-archive marker: tolerated, as GNU tar does
    if (block.length < BLOCK) throw new UntarError('unexpected end of archive (truncated header)')
    if (isZero(block)) break // end of archive; anything after it is ignored, never read
    if (++entries > lim.maxEntries) throw new UntarError(`archive has more than ${lim.maxEntries} entries`)

    const h = parseHeader(block)
    if (h.type === 'x' || h.type === 'g' || h.type === 'L' || h.type === 'K') {
      if (h.size > lim.maxMetaBytes) throw new UntarError(`extended header of ${h.size} bytes exceeds the ${lim.maxMetaBytes}-byte limit`, h.name)
      const data = await readPadded(reader, h.size, h.name)
      if (h.type === 'x') pending = {...pending, ...parsePax(data, h.name)}
      else if (h.type === 'L') pending.path = cString(data)
      else if (h.type === 'K') pending.linkpath = cString(data)
      // 'g' (global) headers carry archive-wide comments (git archive's commit id): ignored.
      continue
    }

    const name = pending.path ?? h.name
    const size = pending.size ?? h.size
    const linkname = pending.linkpath ?? h.linkname
    pending = {}
    const rel = checkPath(name)

    if (h.type === '0' || h.type === '\0' || h.type === '7') {
      if (size > lim.maxBytes - result.bytes) {
        throw new UntarError(`archive expands beyond the ${lim.maxBytes}-byte limit (entry of ${size} bytes)`, name)
      }

      if (rel === undefined) {
        await skipPadded(reader, size, name)
        continue
      }

      await ensureParents(dest, rel, dirs, name)
      await writeFile(reader, join(dest, ...rel), size, h.mode, name)
      result.bytes += size
      result.files++
    } else if (h.type === '5') {
      if (size > 0) await skipPadded(reader, size, name)
      if (rel === undefined) continue
      await ensureParents(dest, rel, dirs, name)
      await makeDir(dest, rel, dirs, name)
      dirs.set(rel.join('/'), (h.mode & MODE_MASK) | 0o700)
      result.directories++
    } else {
      const what = TYPE_NAMES[h.type] ?? `unsupported entry type ${JSON.stringify(h.type)}`
      if (h.type === '1' || h.type === '2') {
        throw new UntarError(`${what} (to ${JSON.stringify(linkname)}): links are not installed`, name)
      }

      throw new UntarError(`${what}: only regular files and directories are installed`, name)
    }
  }

  if (pending.path !== undefined || pending.linkpath !== undefined) throw new UntarError('archive ends after an extended header')
  // Deepest first, so a read-only parent does not stop its children's chmod.
  for (const d of [...dirs.keys()].sort((a, b) => b.length - a.length)) {
    await chmod(join(dest, ...d.split('/')), dirs.get(d)!)
  }

  return result
}

function isZero(block: Buffer): boolean {
  for (const b of block) if (b !== 0) return false
  return true
}

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0)
  return (nul === -1 ? buf : buf.subarray(0, nul)).toString('utf8')
}

function parseNumber(field: Buffer, what: string): number {
  // GNU base-256: high bit set, big-endian binary (huge sizes, negative times).
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new UntarError(`invalid tar header: negative ${what}`)
    let n = field[0]! & 0x7f
    for (const b of field.subarray(1)) n = n * 256 + b
    return n
  }

  const text = field.toString('latin1').replaceAll('\0', ' ').trim()
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) throw new UntarError(`invalid tar header: ${what} field ${JSON.stringify(text)}`)
  return Number.parseInt(text, 8)
}

function parseHeader(block: Buffer): Header {
  const field = block.subarray(148, 156).toString('latin1').replaceAll('\0', ' ').trim()
  const stored = /^[0-7]+$/.test(field) ? Number.parseInt(field, 8) : -1
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }

  if (stored !== unsigned && stored !== signed) throw new UntarError('not a tar archive (header checksum mismatch)')
  const magic = block.subarray(257, 263).toString('latin1')
  let name = cString(block.subarray(0, 100))
  // POSIX ustar splits long names into prefix + name; GNU uses that area for other things.
  if (magic === 'ustar\0') {
    const prefix = cString(block.subarray(345, 500))
    if (prefix !== '') name = `${prefix}/${name}`
  }

  return {
    linkname: cString(block.subarray(157, 257)),
    mode: parseNumber(block.subarray(100, 108), 'mode'),
    name,
    size: parseNumber(block.subarray(124, 136), 'size'),
    type: String.fromCharCode(block[156]!),
  }
}

/** pax records: "<len> <key>=<value>\n", len counting the whole record. */
function parsePax(data: Buffer, entry: string): Pending {
  const out: Pending = {}
  let off = 0
  while (off < data.length) {
    if (data[off] === 0) break // padding some writers leave
    const space = data.indexOf(0x20, off)
    const len = space === -1 ? Number.NaN : Number(data.subarray(off, space).toString('latin1'))
    if (!Number.isInteger(len) || len <= space - off + 1 || off + len > data.length || data[off + len - 1] !== 0x0a) {
      throw new UntarError('malformed pax extended header', entry)
    }

    const record = data.subarray(space + 1, off + len - 1).toString('utf8')
    const eq = record.indexOf('=')
    if (eq === -1) throw new UntarError('malformed pax extended header', entry)
    const key = record.slice(0, eq)
    const value = record.slice(eq + 1)
    if (key === 'path') out.path = value
    else if (key === 'linkpath') out.linkpath = value
    else if (key === 'size') {
      if (!/^\d+$/.test(value)) throw new UntarError(`malformed pax size ${JSON.stringify(value)}`, entry)
      out.size = Number(value)
    }

    off += len
  }

  return out
}

/**
 * The entry's path inside the destination with the first component stripped, or undefined for
 * the top directory itself. Refuses absolute paths, `..`, backslashes and NUL.
 */
function checkPath(name: string): string[] | undefined {
  if (name === '') throw new UntarError('empty entry name', name)
  if (name.includes('\0')) throw new UntarError('NUL byte in entry name', name)
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new UntarError('absolute path', name)
  if (name.includes('\\')) throw new UntarError('backslash in entry name', name)
  const parts = name.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) throw new UntarError('path contains ".." and could leave the destination', name)
  const rel = parts.slice(1)
  return rel.length === 0 ? undefined : rel
}

async function readPadded(reader: ByteReader, size: number, entry: string): Promise<Buffer> {
  const data = await reader.read(size)
  if (data.length < size) throw new UntarError('unexpected end of archive', entry)
  await skipPadding(reader, size, entry)
  return data
}

async function skipPadded(reader: ByteReader, size: number, entry: string): Promise<void> {
  let left = size
  while (left > 0) {
    const chunk = await reader.readSome(Math.min(left, 1 << 20))
    if (chunk.length === 0) throw new UntarError('unexpected end of archive', entry)
    left -= chunk.length
  }

  await skipPadding(reader, size, entry)
}

async function skipPadding(reader: ByteReader, size: number, entry: string): Promise<void> {
  const pad = (BLOCK - (size % BLOCK)) % BLOCK
  if (pad > 0 && (await reader.read(pad)).length < pad) throw new UntarError('unexpected end of archive', entry)
}

/**
 * Creates missing parents of rel one by one, never through a symbolic link. None is ever
 * extracted, so meeting one means something else is in the destination: refused all the same.
 */
async function ensureParents(dest: string, rel: string[], dirs: Map<string, number>, entry: string): Promise<void> {
  for (let i = 1; i < rel.length; i++) {
    const key = rel.slice(0, i).join('/')
    if (dirs.has(key)) continue
    await makeDir(dest, rel.slice(0, i), dirs, entry)
    dirs.set(key, 0o755)
  }
}

async function makeDir(dest: string, rel: string[], dirs: Map<string, number>, entry: string): Promise<void> {
  const key = rel.join('/')
  if (dirs.has(key)) return
  const path = join(dest, ...rel)
  try {
    await mkdir(path, {mode: 0o700})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const st = await lstat(path)
    if (st.isSymbolicLink()) throw new UntarError(`would write through the symbolic link ${JSON.stringify(key)}`, entry)
    if (!st.isDirectory()) throw new UntarError(`${JSON.stringify(key)} is already a file, not a directory`, entry)
  }
}

async function writeFile(reader: ByteReader, path: string, size: number, mode: number, entry: string): Promise<void> {
  try {
    const st = await lstat(path)
    if (st.isDirectory()) throw new UntarError('a directory of that name was already extracted', entry)
    if (st.isSymbolicLink()) throw new UntarError('would write through a symbolic link', entry)
    await unlink(path) // a later copy of the same name replaces the earlier one, as in tar
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  // O_EXCL|O_NOFOLLOW: create a new file, never open one a link points to.
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  try {
    let left = size
    while (left > 0) {
      const chunk = await reader.readSome(Math.min(left, 1 << 20))
      if (chunk.length === 0) throw new UntarError('unexpected end of archive', entry)
      await fh.write(chunk)
      left -= chunk.length
    }

    await fh.chmod(mode & MODE_MASK)
  } finally {
    await fh.close()
  }

  await skipPadding(reader, size, entry)
}
