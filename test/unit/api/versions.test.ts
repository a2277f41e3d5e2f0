import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {
  checkRequestVersion,
  checkVersionRange,
  compareVersions,
  DEFAULT_MIN_API_VERSION,
  MAX_API_VERSION,
  MIN_API_VERSION,
} from '../../../src/api/versions.js'

const max = MAX_API_VERSION

describe('compareVersions (moby daemon/internal/versions, spec §8.6)', {timeout: 5_000}, () => {
  const table: [string, string, -1 | 0 | 1][] = [
    ['1.12', '1.12', 0],
    ['1.0.0', '1', 0],
    ['1', '1.0.0', 0],
    ['1.05.00.0156', '1.0.221.9289', 1],
    ['1', '1.0.1', -1],
    ['1.0.1', '1', 1],
    ['1.0.1', '1.0.2', -1],
    ['1.0.2', '1.0.3', -1],
    ['1.0.3', '1.1', -1],
    ['1.1', '1.1.1', -1],
    ['1.1.1', '1.1.2', -1],
    ['1.1.2', '1.2', -1],
    // non-numeric and empty components count as 0 (strconv.Atoi errors ignored)
    ['1.x', '1.0', 0],
    ['.', '0.0', 0],
    ['1..2', '1.0.2', 0],
    ['1.40', '1.4', 1],
    ['9999.9999', max, 1],
    ['0.1', '1.24', -1],
    // out-of-range components clamp to int64 like Atoi's returned value
    ['99999999999999999999', '9223372036854775807', 0],
  ]
  for (const [a, b, want] of table) {
    test(`${a} vs ${b} = ${want}`, () => {
      assert.equal(compareVersions(a, b), want)
      assert.equal(compareVersions(b, a), -want || 0)
    })
  }
})

describe('checkVersionRange (spec §8.5 construction table)', {timeout: 5_000}, () => {
  const table: [string, string, string | undefined][] = [
    [max, '1.24', undefined],
    [max, DEFAULT_MIN_API_VERSION, undefined],
    ['1.24', max, `invalid API version: the minimum API version (${max}) is higher than the default version (1.24)`],
    ['0.1', '1.24', `invalid default API version (0.1): must be between 1.24 and ${max}`],
    ['9999.9999', max, `invalid default API version (9999.9999): must be between 1.24 and ${max}`],
    ['1.24', '0.1', `invalid minimum API version (0.1): must be between 1.24 and ${max}`],
    [max, '9999.9999', `invalid minimum API version (9999.9999): must be between 1.24 and ${max}`],
  ]
  for (const [def, min, want] of table) {
    test(`default ${def}, min ${min}`, () => {
      assert.equal(checkVersionRange(def, min), want)
    })
  }
  test('bounds can be given (20.10 style: 1.12 … 1.41)', () => {
    assert.equal(checkVersionRange('1.41', '1.12', {min: '1.12', max: '1.41'}), undefined)
    assert.equal(checkVersionRange('1.42', '1.12', {min: '1.12', max: '1.41'}), 'invalid default API version (1.42): must be between 1.12 and 1.41')
  })
  test('constants', () => {
    assert.equal(MIN_API_VERSION, '1.24')
    assert.equal(DEFAULT_MIN_API_VERSION, '1.40')
    assert.equal(compareVersions(MAX_API_VERSION, '1.55') >= 0, true, 'current docker CLI (max 1.55) must be served')
  })
})

describe('checkRequestVersion (spec §8.5 request table, server 1.2.3, min 1.24)', {timeout: 5_000}, () => {
  const table: [string, string | undefined][] = [
    [max, undefined],
    ['1.24', undefined],
    ['0.1', 'client version 0.1 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version'],
    ['9999.9999', `client version 9999.9999 is too new. Maximum supported API version is ${max}`],
    ['1', 'client version 1 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version'],
  ]
  for (const [v, want] of table) {
    test(`version ${v}`, () => {
      assert.equal(checkRequestVersion(v, '1.24', max), want)
    })
  }
})
