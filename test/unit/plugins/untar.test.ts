import assert from 'node:assert/strict'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {gzipSync} from 'node:zlib'

import {untar, untarMain, UntarError} from '../../../src/plugins/untar.js'
import {directoryBomb, type TarEntry, tar, tgz, withLongName, withPax} from '../../fixtures/plugins/tar-writer.js'

/** Every path under dir (relative), symlinks not followed. */
function tree(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      out.push(relative(dir, p))
      if (lstatSync(p).isDirectory()) walk(p)
    }
  }

  if (existsSync(dir)) walk(dir)
  return out
}

const mode = (p: string) => statSync(p).mode & 0o7777

describe('untar', () => {
  let tmp: string
  let n = 0
  // Each case: <tmp>/<n>/{archive.tgz, outside/, work/dest}; nothing may appear outside dest.
  const layout = () => {
    const base = join(tmp, String(++n))
    mkdirSync(join(base, 'outside'), {recursive: true})
    mkdirSync(join(base, 'work'))
    return {archive: join(base, 'archive.tgz'), base, dest: join(base, 'work', 'dest'), outside: join(base, 'outside')}
  }

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dockerd-untar-'))
  })
  after(() => rmSync(tmp, {force: true, recursive: true}))

  it('unpacks an npm-style archive: package/ stripped, modes kept without setuid or group/other write', async () => {
    const l = layout()
    const longDir = 'package/' + 'd'.repeat(120)
    const entries: TarEntry[] = [
      {mode: 0o755, name: 'package', type: '5'},
      {body: '{"name":"x","version":"1.0.0","oclif":{}}', name: 'package/package.json'},
      {body: '#!/bin/sh\n', mode: 0o755, name: 'package/bin/run.sh'},
      {body: 'suid', mode: 0o4755, name: 'package/bin/suid'},
      {body: 'ww', mode: 0o666, name: 'package/world-writable'},
      {mode: 0o700, name: 'package/private', type: '5'},
      {body: 'split', name: 'f.txt', prefix: 'package/ustar/prefix'},
      ...withPax({path: `${longDir}/pax.txt`}, {body: 'pax', name: 'package/short'}),
      ...withLongName(`${longDir}/gnu.txt`, {body: 'gnu', name: 'package/trunc'}),
      {body: 'second copy wins', name: 'package/bin/run.sh', mode: 0o755},
    ]
    writeFileSync(l.archive, tgz(entries))
    const r = await untar(l.archive, l.dest)
    assert.equal(r.files, 8, 'files written, the replaced copy included')
    assert.deepEqual(tree(l.dest), [
      'bin',
      'bin/run.sh',
      'bin/suid',
      'd'.repeat(120),
      `${'d'.repeat(120)}/gnu.txt`,
      `${'d'.repeat(120)}/pax.txt`,
      'package.json',
      'private',
      'ustar',
      'ustar/prefix',
      'ustar/prefix/f.txt',
      'world-writable',
    ])
    assert.equal(readFileSync(join(l.dest, 'bin/run.sh'), 'utf8'), 'second copy wins')
    assert.equal(readFileSync(join(l.dest, 'ustar/prefix/f.txt'), 'utf8'), 'split')
    assert.equal(mode(join(l.dest, 'bin/run.sh')), 0o755)
    assert.equal(mode(join(l.dest, 'bin/suid')), 0o755, 'setuid dropped')
    assert.equal(mode(join(l.dest, 'world-writable')), 0o644, 'group/other write dropped')
    assert.equal(mode(join(l.dest, 'package.json')), 0o644)
    assert.equal(mode(join(l.dest, 'private')), 0o700)
    assert.equal(mode(join(l.dest, 'bin')), 0o755)
    assert.deepEqual(tree(l.outside), [])
  })

  it('reads plain (uncompressed) tar too, into an existing empty directory', async () => {
    const l = layout()
    mkdirSync(l.dest)
    writeFileSync(l.archive, tar([{body: 'x', name: 'package/a/b.txt'}]))
    await untar(l.archive, l.dest)
    assert.deepEqual(tree(l.dest), ['a', 'a/b.txt'])
  })

  // [label, entries (after a harmless first file, so there is something to clean up), entry named, reason]
  const hostile: Array<[string, (l: ReturnType<typeof layout>) => TarEntry[], string | ((l: ReturnType<typeof layout>) => string), RegExp]> = [
    ['an absolute path', (l) => [{body: 'x', name: join(l.outside, 'abs')}], (l) => join(l.outside, 'abs'), /absolute path/],
    ['../escape', () => [{body: 'x', name: '../escape'}], '../escape', /"\.\."/],
    ['package/../../escape', () => [{body: 'x', name: 'package/../../escape'}], 'package/../../escape', /"\.\."/],
    ['a/../../escape', () => [{body: 'x', name: 'a/../../escape'}], 'a/../../escape', /"\.\."/],
    [
      'a symlink to /etc, then a file under it',
      () => [{linkname: '/etc', name: 'package/etc', type: '2'}, {body: 'x', name: 'package/etc/dockerd-untar-test'}],
      'package/etc',
      /symbolic link \(to "\/etc"\)/,
    ],
    [
      'a symlink out of the destination, then a file through it',
      (l) => [{linkname: l.outside, name: 'package/out', type: '2'}, {body: 'x', name: 'package/out/pwned'}],
      'package/out',
      /symbolic link/,
    ],
    ['symlink x -> ../../outside', () => [{linkname: '../../outside', name: 'package/x', type: '2'}], 'package/x', /symbolic link \(to "\.\.\/\.\.\/outside"\)/],
    ['an in-bounds symlink (no link is installed)', () => [{linkname: 'index.js', name: 'package/alias.js', type: '2'}], 'package/alias.js', /links are not installed/],
    ['a hard link to /etc/passwd', () => [{linkname: '/etc/passwd', name: 'package/passwd', type: '1'}], 'package/passwd', /hard link \(to "\/etc\/passwd"\)/],
    ['a character device', () => [{name: 'package/null', type: '3'}], 'package/null', /character device/],
    ['a block device', () => [{name: 'package/sda', type: '4'}], 'package/sda', /block device/],
    ['a FIFO', () => [{name: 'package/fifo', type: '6'}], 'package/fifo', /FIFO/],
    ['an unknown entry type', () => [{name: 'package/sparse', type: 'S'}], 'package/sparse', /GNU sparse file/],
    ['a pax path of ../x', () => withPax({path: '../x'}, {body: 'x', name: 'package/innocent'}), '../x', /"\.\."/],
    ['a pax linkpath out', () => withPax({linkpath: '/etc/shadow'}, {name: 'package/l', type: '1'}), 'package/l', /hard link \(to "\/etc\/shadow"\)/],
    ['a GNU long name ../../x', () => withLongName('../../x', {body: 'x', name: 'package/innocent'}), '../../x', /"\.\."/],
    [
      'a header claiming 1 TiB (bomb)',
      () => [{name: 'package/bomb', noBody: true, size: 2 ** 40}],
      'package/bomb',
      /expands beyond the 536870912-byte limit/,
    ],
    [
      'a pax size claiming 1 TiB (bomb)',
      () => withPax({size: String(2 ** 40)}, {name: 'package/bomb', noBody: true}),
      'package/bomb',
      /expands beyond the 536870912-byte limit/,
    ],
    ['a huge pax header', () => [{name: 'PaxHeader/big', noBody: true, size: 2 ** 30, type: 'x'}], 'PaxHeader/big', /extended header of \d+ bytes exceeds/],
    ['a truncated file', () => [{body: 'short', name: 'package/cut', size: 4096}], 'package/cut', /unexpected end of archive/],
  ]

  for (const [label, make, named, reason] of hostile) {
    it(`refuses ${label}, naming the entry, and leaves nothing behind`, async () => {
      const l = layout()
      const name = typeof named === 'string' ? named : named(l)
      writeFileSync(l.archive, tgz([{body: 'ok', name: 'package/a/first.txt'}, ...make(l)], {end: !label.includes('truncated')}))
      await assert.rejects(untar(l.archive, l.dest), (error: Error) => {
        assert.ok(error instanceof UntarError, String(error))
        assert.equal(error.entry, name)
        assert.ok(error.message.includes(`refused entry ${JSON.stringify(name)}`), error.message)
        assert.match(error.message, reason)
        return true
      })
      assert.equal(existsSync(l.dest), false, 'the destination it created is removed')
      assert.deepEqual(tree(l.base), ['archive.tgz', 'outside', 'work'], 'nothing written anywhere else')
      assert.equal(existsSync('/etc/dockerd-untar-test'), false)
    })
  }

  it('refuses an archive that expands beyond the limit, by real content (gzip bomb)', async () => {
    const l = layout()
    // 1 MiB of zeros compresses to ~1 KiB; with a 256 KiB limit it is a bomb.
    writeFileSync(l.archive, tgz([{body: 'ok', name: 'package/a.txt'}, {body: Buffer.alloc(1 << 20), name: 'package/zeros'}]))
    assert.ok(statSync(l.archive).size < 4096)
    await assert.rejects(untar(l.archive, l.dest, {maxBytes: 256 * 1024}), /refused entry "package\/zeros": archive expands beyond the 262144-byte limit/)
    assert.equal(existsSync(l.dest), false)
  })

  it('refuses a directory entry followed by data: counted against the size limit (a 2 MB archive inflating 2 GiB)', async () => {
    const l = layout()
    writeFileSync(l.archive, directoryBomb([{body: 'ok', name: 'package/a.txt'}], 'package/dir', 2 ** 31))
    assert.ok(statSync(l.archive).size < 4 * 1024 * 1024, `archive of ${statSync(l.archive).size} bytes`)
    await assert.rejects(untar(l.archive, l.dest), (error: Error) => {
      assert.ok(error instanceof UntarError, String(error))
      assert.equal(error.entry, 'package/dir')
      assert.equal(error.message, 'refused entry "package/dir": archive expands beyond the 536870912-byte limit (a directory entry carrying 2147483648 bytes)')
      return true
    })
    assert.equal(existsSync(l.dest), false)
    assert.deepEqual(tree(l.base), ['archive.tgz', 'outside', 'work'])
  })

  it('refuses a directory entry with data within the limits (tar readers disagree on what follows it)', async () => {
    const l = layout()
    // After the directory: 1 KiB that other readers skip and tar reads as headers (two zero blocks:
    // the end of the archive, so tar alone would silently drop package/after.txt).
    writeFileSync(l.archive, directoryBomb([{body: 'ok', name: 'package/a.txt'}], 'package/dir', 1024))
    await assert.rejects(untar(l.archive, l.dest), /^UntarError: refused entry "package\/dir": a directory entry carrying 1024 bytes of data$/)
    assert.equal(existsSync(l.dest), false)
  })

  it('refuses too many entries', async () => {
    const l = layout()
    writeFileSync(l.archive, tgz(Array.from({length: 20}, (_, i) => ({body: '', name: `package/f${i}`}))))
    await assert.rejects(untar(l.archive, l.dest, {maxEntries: 10}), /more than 10 entries/)
    assert.equal(existsSync(l.dest), false)
  })

  it('empties, but keeps, a destination that existed (empty) before', async () => {
    const l = layout()
    mkdirSync(l.dest)
    writeFileSync(l.archive, tgz([{body: 'ok', name: 'package/a/b.txt'}, {name: 'package/dev', type: '3'}]))
    await assert.rejects(untar(l.archive, l.dest), /character device/)
    assert.deepEqual(tree(l.dest), [])
  })

  it('refuses a destination that is not empty (nothing extracted could be a link out)', async () => {
    const l = layout()
    mkdirSync(l.dest)
    symlinkSync(l.outside, join(l.dest, 'a'))
    writeFileSync(l.archive, tgz([{body: 'x', name: 'package/a/pwned'}]))
    await assert.rejects(untar(l.archive, l.dest), /is not empty/)
    assert.deepEqual(tree(l.outside), [])
    assert.deepEqual(tree(l.dest), ['a'])
  })

  it('refuses what is not a tar archive, corrupt gzip, and other compressions', async () => {
    const l = layout()
    writeFileSync(l.archive, Buffer.alloc(1024, 'garbage'))
    await assert.rejects(untar(l.archive, l.dest), /not a tar archive \(header checksum mismatch\)/)
    const gz = gzipSync(tar([{body: 'x', name: 'package/a'}]))
    writeFileSync(l.archive, gz.subarray(0, gz.length - 20))
    await assert.rejects(untar(l.archive, l.dest), /corrupt gzip data|unexpected end of archive/)
    writeFileSync(l.archive, Buffer.from('BZh91AY&SY'))
    await assert.rejects(untar(l.archive, l.dest), /bzip2 archives are not supported/)
    writeFileSync(l.archive, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 1)]))
    await assert.rejects(untar(l.archive, l.dest), /corrupt gzip data/)
    assert.equal(existsSync(l.dest), false)
    await assert.rejects(untar(l.outside, l.dest), /is not a regular file/)
  })

  it('untarMain (the dockerd-untar initializer) reports a refusal on stderr with status 1', async () => {
    const l = layout()
    writeFileSync(l.archive, tgz([{body: 'x', name: '../escape'}]))
    const written: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((chunk: string, cb?: () => void) => {
      written.push(String(chunk))
      cb?.()
      return true
    }) as typeof process.stderr.write
    let codes: number[]
    try {
      codes = [await untarMain([l.archive, l.dest]), await untarMain([l.archive])]
    } finally {
      process.stderr.write = write
    }

    assert.deepEqual(codes, [1, 2])
    assert.match(written.join(''), /^refused entry "\.\.\/escape": path contains "\.\."/)
    assert.match(written.join(''), /usage: dockerd-untar <archive> <destDir>/)
    writeFileSync(l.archive, tgz([{body: 'x', name: 'package/ok'}]))
    assert.equal(await untarMain([l.archive, l.dest]), 0)
    assert.deepEqual(tree(l.dest), ['ok'])
  })
})
