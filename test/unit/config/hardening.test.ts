// daemon.json read and decoded as Go does (issue 10 #9, #15): integers by encoding/json's rules,
// deprecated keys type-checked, deep nesting refused cleanly, only small regular files read.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {CONFIG_FILE_MAX_BYTES, readConfigFile} from '../../../src/config/file.js'
import {MAX_NESTING_DEPTH} from '../../../src/config/json.js'
import {load} from '../../helpers/config.js'

const intError = (n: string, key = 'max-concurrent-downloads') => `json: cannot unmarshal number ${n} into Go struct field Config.${key} of type int`

describe('integer options by encoding/json rules', () => {
  const refused = ['1e19', '9223372036854775808', '-9223372036854775809', '1.0', '1e2', '1E2', '0.5', '-0.0']
  for (const n of refused) {
    it(`refuses ${n}`, () => {
      const r = load({file: `{"max-concurrent-downloads": ${n}}`})
      assert.equal(r.config, undefined)
      assert.equal(r.problems[0]?.message, intError(n))
    })
  }

  // A zero in the file is filled from the flag side (§4.5): 0 and -0 come out as the default 15.
  const accepted: Array<[string, number]> = [
    ['0', 15],
    ['7', 7],
    ['9223372036854775807', 9_223_372_036_854_775_807],
    ['-0', 15],
  ]
  for (const [n, want] of accepted) {
    it(`accepts ${n}`, () => {
      const r = load({file: `{"shutdown-timeout": ${n}}`})
      assert.deepEqual(r.problems, [])
      assert.equal(r.config?.values['shutdown-timeout'], want)
    })
  }

  it('ulimit Hard/Soft are int64', () => {
    const r = load({file: '{"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 2048, "Soft": 1e3}}}'})
    assert.equal(r.problems[0]?.message, 'json: cannot unmarshal number 1e3 into Go struct field Config.default-ulimits.Soft of type int64')
  })
})

describe('deprecated (ignored) keys are still type-checked, as fields of dockerd\'s Config', () => {
  const table: Array<[string, string]> = [
    ['{"api-cors-header": 5}', 'json: cannot unmarshal number into Go struct field Config.api-cors-header of type string'],
    ['{"disable-legacy-registry": "yes"}', 'json: cannot unmarshal string into Go struct field Config.disable-legacy-registry of type bool'],
    ['{"oom-score-adjust": 1.5}', 'json: cannot unmarshal number 1.5 into Go struct field Config.oom-score-adjust of type int'],
    ['{"cluster-store-opts": ["a"]}', 'json: cannot unmarshal array into Go struct field Config.cluster-store-opts of type map[string]string'],
  ]
  for (const [file, message] of table) it(file, () => assert.equal(load({file}).problems[0]?.message, message))
  it('a well-typed deprecated key is accepted and ignored', () => {
    const r = load({file: '{"api-cors-header": "*", "oom-score-adjust": -500}'})
    assert.deepEqual(r.problems, [])
  })
})

describe('deep nesting', () => {
  for (const [name, text] of [
    ['arrays', `{"x": ${'['.repeat(5000)}${']'.repeat(5000)}}`],
    ['objects', `{"x": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`],
    ['a top-level array', `${'['.repeat(100_000)}`],
  ] as const) {
    it(`${name}: Go's "exceeded max depth", never a JS stack overflow`, () => {
      const r = load({file: text})
      assert.equal(r.config, undefined)
      assert.match(r.problems[0]!.message, /^invalid JSON: exceeded max depth$/)
    })
  }

  it(`nesting up to ${MAX_NESTING_DEPTH} parses (then fails as an unknown key)`, () => {
    const d = MAX_NESTING_DEPTH - 1
    const r = load({file: `{"x": ${'['.repeat(d)}${']'.repeat(d)}}`})
    assert.match(r.problems[0]!.message, /don't match any configuration option: x$/)
  })
})

describe('readConfigFile: only small regular files, never blocking', {timeout: 10_000}, () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'dockerd-cfgfile-'))
  it('a FIFO (no writer) is refused at once', () => {
    const d = dir()
    try {
      const fifo = join(d, 'daemon.json')
      execFileSync('mkfifo', [fifo])
      assert.throws(() => readConfigFile(fifo, true), {message: `read ${fifo}: not a regular file (a named pipe)`})
    } finally {
      rmSync(d, {force: true, recursive: true})
    }
  })

  it('/dev/zero (also through a symlink) is refused', () => {
    assert.throws(() => readConfigFile('/dev/zero', true), {message: 'read /dev/zero: not a regular file (a character device)'})
    const d = dir()
    try {
      symlinkSync('/dev/zero', join(d, 'daemon.json'))
      assert.throws(() => readConfigFile(join(d, 'daemon.json'), true), /not a regular file \(a character device\)/)
    } finally {
      rmSync(d, {force: true, recursive: true})
    }
  })

  it('a file over the size cap is refused; one at the cap is read', () => {
    const d = dir()
    try {
      const big = join(d, 'big.json')
      writeFileSync(big, Buffer.alloc(CONFIG_FILE_MAX_BYTES + 1, 0x20))
      assert.throws(() => readConfigFile(big, true), {message: `read ${big}: the file is over ${CONFIG_FILE_MAX_BYTES} bytes, the limit for a configuration file`})
      writeFileSync(big, Buffer.concat([Buffer.from('{}'), Buffer.alloc(CONFIG_FILE_MAX_BYTES - 2, 0x20)]))
      assert.deepEqual(readConfigFile(big, true)?.value, {})
    } finally {
      rmSync(d, {force: true, recursive: true})
    }
  })
})
