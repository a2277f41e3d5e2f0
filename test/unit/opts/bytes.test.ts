import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {bytesSize, formatBytes, parseRAMInBytes} from '../../../src/opts/bytes.js'
import {OptsError} from '../../../src/opts/errors.js'

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB
const TiB = 1024 * GiB
const PiB = 1024 * TiB

// go-units TestRAMInBytes, plus TestDaemonParseShmSize / TestDaemonConfigurationMergeShmSize.
const ok: Array<[string, number]> = [
  ['32', 32],
  ['32b', 32],
  ['32B', 32],
  ['32k', 32 * KiB],
  ['32K', 32 * KiB],
  ['32kb', 32 * KiB],
  ['32Kb', 32 * KiB],
  ['32Kib', 32 * KiB],
  ['32KIB', 32 * KiB],
  ['32Mb', 32 * MiB],
  ['32Gb', 32 * GiB],
  ['32Tb', 32 * TiB],
  ['32Pb', 32 * PiB],
  ['32PB', 32 * PiB],
  ['32P', 32 * PiB],
  ['32.3', 32],
  ['32.3 mb', Math.trunc(32.3 * MiB)],
  ['0.3MB', Math.trunc(0.3 * MiB)],
  ['64M', 64 * MiB],
  ['128M', 128 * MiB],
  ['128m', 128 * MiB],
  ['1g', GiB],
  ['1024', 1024],
  ['1_000', 1000],
  ['1e3', 1000],
  ['.5k', 512],
]

const bad: Array<[string, string]> = [
  ['', "invalid size: ''"],
  ['hello', "invalid size: 'hello'"],
  ['-32', "invalid size: '-32'"],
  [' 32 ', 'strconv.ParseFloat: parsing " 32": invalid syntax'],
  ['32m b', 'strconv.ParseFloat: parsing "32m": invalid syntax'],
  ['32bm', "invalid suffix: 'bm'"],
  ['32kbx', "invalid suffix: 'kbx'"],
  ['32KIBX', "invalid suffix: 'KIBX'"],
  ['32x', "invalid suffix: 'x'"],
  ['32kx', "invalid suffix: 'kx'"],
  ['32kix', "invalid suffix: 'kix'"],
  ['1e999', 'strconv.ParseFloat: parsing "1e999": value out of range'],
]

describe('parseRAMInBytes', () => {
  for (const [input, want] of ok) {
    it(JSON.stringify(input), () => assert.equal(parseRAMInBytes(input), want))
  }

  for (const [input, error] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseRAMInBytes(input), (e: unknown) => e instanceof OptsError && e.message === error)
    })
  }
})

describe('formatBytes / bytesSize', () => {
  it('prints help defaults like MemBytes.String', () => {
    assert.equal(formatBytes(64 * MiB), '64MiB')
    assert.equal(formatBytes(67_108_864), '64MiB')
    assert.equal(formatBytes(0), '0')
    assert.equal(formatBytes(GiB), '1GiB')
  })

  it('uses %.4g', () => {
    assert.equal(bytesSize(1536), '1.5KiB')
    assert.equal(bytesSize(1000), '1000B')
    assert.equal(bytesSize(1023 * KiB + 1000), '1024KiB')
    assert.equal(bytesSize(1_234_567), '1.177MiB')
    assert.equal(bytesSize(0), '0B')
  })
})
