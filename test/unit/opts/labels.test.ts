import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {OptsError} from '../../../src/opts/errors.js'
import {resolveLabelConflicts, validateLabel} from '../../../src/opts/labels.js'

const reserved = (label: string) =>
  `label ${label} is not allowed: the namespaces com.docker.*, io.docker.*, and org.dockerproject.* are reserved for internal use`

// TestValidateLabel (daemon/pkg/opts/opts_test.go) plus TestValidateConfigurationErrors label rows.
const table: Array<{error?: string; input: string}> = [
  {error: 'bad attribute format: label', input: 'label'},
  {input: 'key1=value1'},
  {input: 'key1=value1=value2'},
  {input: 'key1=value1=value2=value3'},
  {input: 'com.dockerpsychnotreserved.label=value'},
  {input: 'io.dockerproject.not=reserved'},
  {input: 'org.docker.not=reserved'},
  {error: reserved('com.docker.feature=enabled'), input: 'com.docker.feature=enabled'},
  {error: reserved('COM.docker.feature=enabled'), input: 'COM.docker.feature=enabled'},
  {error: reserved('io.docker.configuration=0'), input: 'io.docker.configuration=0'},
  {error: reserved('io.DOCKER.CONFIGURATion=0'), input: 'io.DOCKER.CONFIGURATion=0'},
  {error: reserved('org.dockerproject.setting=on'), input: 'org.dockerproject.setting=on'},
  {error: reserved('Org.Dockerproject.Setting=on'), input: 'Org.Dockerproject.Setting=on'},
  {error: 'bad attribute format: one', input: 'one'},
  {input: 'one=two'},
]

describe('validateLabel', () => {
  for (const {error, input} of table) {
    it(input, () => {
      if (error === undefined) {
        assert.equal(validateLabel(input), input)
      } else {
        assert.throws(() => validateLabel(input), (e: unknown) => e instanceof OptsError && e.message === error)
      }
    })
  }
})

describe('resolveLabelConflicts', () => {
  it('names the later value first (TestLoadDaemonCliWithConflictingLabels, TestReloadWithConflictingLabels)', () => {
    assert.throws(() => resolveLabelConflicts(['foo=bar', 'foo=baz']), {message: 'conflict labels for foo=baz and foo=bar'})
  })

  it('collapses identical duplicates (TestLoadDaemonCliWithDuplicateLabels, TestReloadWithDuplicateLabels)', () => {
    assert.deepEqual(resolveLabelConflicts(['foo=the-same', 'foo=the-same']), ['foo=the-same'])
  })

  it('keeps first-seen key order and drops entries without "="', () => {
    assert.deepEqual(resolveLabelConflicts(['b=1', 'a=2', 'b=1', 'junk', 'c=']), ['b=1', 'a=2', 'c='])
    assert.deepEqual(resolveLabelConflicts([]), [])
  })
})
