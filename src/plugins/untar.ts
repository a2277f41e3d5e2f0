import {constants, createReadStream} from 'node:fs'
import {chmod, lstat, mkdir, open, readdir, rm, stat, unlink} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import type {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {Header, Parser, type ReadEntry} from 'tar'

/**
 * A strict tar reader for installing plugin archives (npm `.tgz` and plain tar), on npm's own
 * `tar` parser: ustar, GNU long names and pax headers are merged by tar; gzip via zlib.
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
  D: 'GNU dump directory',
}

/**
 * Unpacks `archive` into `destDir` (created if missing; it must be empty if it exists).
 * Throws UntarError on a refused archive, after removing what it wrote.
 *
 * Two passes over the archive. The first only lists it and applies the policy below to every
 * entry; nothing is written unless the whole archive passes. tar's own safeguards are not a
 * policy: its `filter`, `strip`, path sanitising and `maxMetaEntrySize` skip an entry (or warn and
 * carry on) rather than refuse the archive, and a skipped entry's data is still inflated without
 * counting against any limit. The second pass extracts the approved entries (the same checks run
 * again, so an archive changed in between is refused, not trusted).
 */
export async function untar(archive: string, destDir: string, limits: Partial<UntarLimits> = {}): Promise<UntarResult> {
  const lim = {...DEFAULT_LIMITS, ...limits}
  const info = await stat(archive)
  if (!info.isFile()) throw new UntarError(`${archive} is not a regular file`)
  const dest = resolve(destDir)
  await parse(archive, lim, async (entry) => {
    entry.resume()
  }).catch((error: unknown) => {
    throw asRefusal(error)
  })

  const created = await prepareDest(dest)
  try {
    const result = await extract(archive, dest, lim)
    // Created 0700 so nothing else can race into it while unpacking; readable once complete.
    if (created) await chmod(dest, 0o755)
    return result
  } catch (error) {
    await cleanDest(dest, created)
    throw asRefusal(error)
  }
}

function asRefusal(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code
  if (typeof code === 'string' && code.startsWith('Z_')) return new UntarError(`corrupt gzip data: ${(error as Error).message}`)
  return error
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

/**
 * What tar's header decoding drops, kept per header: a directory's declared size (tar sets it to 0
 * and parses whatever data follows as more headers, where other readers skip it) and a pax
 * `linkpath` (tar checks links against the raw field and warns "linkpath required"). tar has no
 * hook for either, so its decode is wrapped (tar is pinned; the untar tests fail if this breaks).
 */
const declared = new WeakMap<Header, {linkpath?: string; size: number}>()
const decode = Header.prototype.decode
Header.prototype.decode = function (this: Header, buf, off, ex, gex) {
  decode.call(this, buf, off, ex, gex)
  const type = this.typeKey
  if (type === '5') {
    // The same block as a contiguous file ('7'), which keeps its size (pax `size` included).
    const asFile = Buffer.from(buf.subarray(off, off + BLOCK))
    asFile[156] = 0x37
    declared.set(this, {size: new Header(asFile, 0, ex, gex).size ?? 0})
  } else if (type === '1' || type === '2') {
    declared.set(this, {linkpath: ex?.linkpath ?? gex?.linkpath ?? this.linkpath, size: this.size ?? 0})
  }
}

/** An entry the policy let through: where it goes (first component stripped) and its mode. */
interface Approved {
  dir: boolean
  mode: number
  /** undefined: the top directory itself (`package/`), nothing to write. */
  rel: string[] | undefined
}

/**
 * The policy, applied to every entry tar's parser reads (pax and GNU long names already merged):
 * every header counts against maxEntries and every entry's data against maxBytes, whatever its
 * type (a directory entry may carry data: tar skips it, but it still had to be inflated).
 */
class Policy {
  bytes = 0
  entries = 0

  constructor(readonly lim: UntarLimits) {}

  /** An extended header (pax, GNU long name) tar read and merged into the next entry. */
  meta(bytes: number): void {
    this.count()
    this.data(bytes, undefined, 'an extended header of')
  }

  /** An extended header over maxMetaBytes: tar would skip it (and its data); refused. */
  hugeMeta(entry: ReadEntry): never {
    this.count()
    throw new UntarError(`extended header of ${entry.size} bytes exceeds the ${this.lim.maxMetaBytes}-byte limit`, entry.path)
  }

  /** Regular files and directories pass; every other type is refused. */
  entry(entry: ReadEntry): Approved {
    this.count()
    const name = entry.path
    const type = entry.header.typeKey
    const rel = checkPath(name)
    if (type === '0' || type === '' || type === '7') {
      this.data(entry.size, name, 'entry of')
      return {dir: false, mode: (entry.mode ?? 0o644) & MODE_MASK, rel}
    }

    if (type === '5') {
      const size = declared.get(entry.header)?.size ?? 0
      this.data(size, name, 'a directory entry carrying')
      // tar would read that data as more headers, other readers skip it: the archive is ambiguous.
      if (size > 0) throw new UntarError(`a directory entry carrying ${size} bytes of data`, name)
      return {dir: true, mode: ((entry.mode ?? 0o755) & MODE_MASK) | 0o700, rel}
    }

    refuseType(type, name, entry.linkpath)
  }

  private count(): void {
    if (++this.entries > this.lim.maxEntries) throw new UntarError(`archive has more than ${this.lim.maxEntries} entries`)
  }

  /** Every entry's data counts, a directory's included: tar skips it, but it is still inflated. */
  private data(bytes: number, name: string | undefined, what: string): void {
    if (bytes > this.lim.maxBytes - this.bytes) {
      throw new UntarError(`archive expands beyond the ${this.lim.maxBytes}-byte limit (${what} ${bytes} bytes)`, name)
    }

    this.bytes += bytes
  }
}

function refuseType(type: string, name: string, linkpath: string | undefined): never {
  const what = TYPE_NAMES[type] ?? `unsupported entry type ${JSON.stringify(type)}`
  if (type === '1' || type === '2') throw new UntarError(`${what} (to ${JSON.stringify(linkpath ?? '')}): links are not installed`, name)
  throw new UntarError(`${what}: only regular files and directories are installed`, name)
}

/**
 * Feeds the archive to tar's parser and hands each entry the policy approved to `onEntry`, in
 * order and awaited (tar emits the next entry once this one's data is consumed). The first
 * refusal or error stops reading. Nothing after the end-of-archive marker is read (tar's parser
 * would buffer all of it), and what tar only warns about is refused: a bad checksum, a truncated
 * entry, a header it cannot read.
 */
async function parse(archive: string, lim: UntarLimits, onEntry: (entry: ReadEntry, approved: Approved) => Promise<void>): Promise<void> {
  const policy = new Policy(lim)
  const source = await openArchive(archive)
  let failure: unknown
  let stop = () => {}
  const stopped = new Promise<void>((resolve) => {
    stop = resolve
  })
  const fail = (error: unknown) => {
    failure ??= error
    source.destroy()
    stop()
  }

  let eof = false
  let fed = 0
  let chain = Promise.resolve()
  const parser = new Parser({maxMetaEntrySize: lim.maxMetaBytes, onwarn: (code, message, data) => fail(warningRefusal(code, message, data)), zstd: false})
  parser.on('error', (error: Error & Record<string, unknown>) => fail(warningRefusal(String(error.tarCode ?? error.code), error, error)))
  parser.on('eof', () => {
    eof = true
  })
  parser.on('meta', (data: string) => {
    try {
      policy.meta(Buffer.byteLength(data))
    } catch (error) {
      fail(error)
    }
  })
  // Extended headers over maxMetaEntrySize and entries of a type tar does not know come here.
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    try {
      if (entry.meta) policy.hugeMeta(entry)
      policy.entry(entry)
    } catch (error) {
      fail(error)
    }
  })
  parser.on('entry', (entry: ReadEntry) => {
    let approved: Approved | undefined
    try {
      if (failure === undefined) approved = policy.entry(entry)
    } catch (error) {
      fail(error)
    }

    if (approved === undefined) return void entry.resume()
    const ok = approved
    chain = chain.then(async () => {
      if (failure === undefined) await onEntry(entry, ok)
      else entry.resume()
    }).catch((error: unknown) => {
      fail(error)
      entry.resume()
    })
  })

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      fed += chunk.length
      if (!parser.write(chunk)) await Promise.race([new Promise((drained) => parser.once('drain', drained)), stopped])
      if (failure !== undefined || eof) break
    }

    if (failure === undefined && !eof) {
      await Promise.race([new Promise<void>((done) => parser.end(() => done())), stopped])
      if (fed % BLOCK !== 0) fail(new UntarError('unexpected end of archive (truncated header)'))
    }
  } catch (error) {
    fail(error)
  } finally {
    source.destroy()
  }

  await chain
  if (failure !== undefined) throw failure
}

/** What tar warns about (and would skip past), as a refusal naming the entry where it can. */
function warningRefusal(code: string, message: Error | string, data: Record<string, unknown>): UntarError {
  const text = message instanceof Error ? message.message : message
  const {header} = data
  if (header instanceof Header && header.path !== undefined && /^[12]$/.test(header.typeKey)) {
    try {
      refuseType(header.typeKey, header.path, declared.get(header)?.linkpath)
    } catch (error) {
      return error as UntarError
    }
  }

  const named = (data.entry ?? header) as undefined | {path?: string}
  const entry = named?.path
  if (/checksum failure/.test(text)) return new UntarError('not a tar archive (header checksum mismatch)')
  if (/Unrecognized archive format/.test(text)) return new UntarError('not a tar archive')
  if (/^Truncated input/.test(text)) return new UntarError('unexpected end of archive', entry)
  return new UntarError(`invalid tar archive (${code}): ${text}`, entry)
}

async function extract(archive: string, dest: string, lim: UntarLimits): Promise<UntarResult> {
  const result: UntarResult = {bytes: 0, directories: 0, files: 0}
  const dirs = new Map<string, number>() // relative dir -> mode to apply at the end
  await parse(archive, lim, async (entry, {dir, mode, rel}) => {
    if (rel === undefined) return void entry.resume() // the top directory (`package/`) itself
    await ensureParents(dest, rel, dirs, entry.path)
    if (dir) {
      entry.resume()
      await makeDir(dest, rel, dirs, entry.path)
      dirs.set(rel.join('/'), mode)
      result.directories++
      return
    }

    await writeFile(entry, join(dest, ...rel), mode)
    result.bytes += entry.size
    result.files++
  })
  // Deepest first, so a read-only parent does not stop its children's chmod.
  for (const d of [...dirs.keys()].sort((a, b) => b.length - a.length)) {
    await chmod(join(dest, ...d.split('/')), dirs.get(d)!)
  }

  return result
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

async function writeFile(entry: ReadEntry, path: string, mode: number): Promise<void> {
  try {
    const st = await lstat(path)
    if (st.isDirectory()) throw new UntarError('a directory of that name was already extracted', entry.path)
    if (st.isSymbolicLink()) throw new UntarError('would write through a symbolic link', entry.path)
    await unlink(path) // a later copy of the same name replaces the earlier one, as in tar
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  // O_EXCL|O_NOFOLLOW: create a new file, never open one a link points to.
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  try {
    for await (const chunk of entry as AsyncIterable<Buffer>) await fh.write(chunk)
    await fh.chmod(mode)
  } finally {
    await fh.close()
  }
}
