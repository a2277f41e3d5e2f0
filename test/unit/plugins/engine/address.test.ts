import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {parseEngineHost, validateEngineHost} from '../../../../src/plugins/builtin/engine/address.js'

describe('engine-host', () => {
  const good: Array<[string, boolean, string]> = [
    ['unix:///run/docker.sock', false, 'unix:///run/docker.sock'],
    ['unix://', false, 'unix:///var/run/docker.sock'],
    [' unix:///tmp/e.sock ', false, 'unix:///tmp/e.sock'],
    ['tcp://127.0.0.1:2375', false, 'tcp://127.0.0.1:2375'],
    ['tcp://127.0.0.1', false, 'tcp://127.0.0.1:2375'],
    ['tcp://127.0.0.1', true, 'tcp://127.0.0.1:2376'],
    ['tcp://[::1]:2376', true, 'tcp://[::1]:2376'],
    ['tcp://localhost:12345', false, 'tcp://localhost:12345'],
  ]
  for (const [input, tls, want] of good) test(`${input}${tls ? ' (tls)' : ''} → ${want}`, () => assert.equal(parseEngineHost(input, tls).text, want))

  const bad: Array<[string, RegExp]> = [
    ['', /engine-host is empty/],
    ['/run/docker.sock', /has no scheme/],
    ['fd://', /"fd:\/\/", which is not supported/],
    ['ssh://user@host', /"ssh:\/\/", which is not supported/],
    ['npipe:////./pipe/docker_engine', /not supported/],
    ['tcp://127.0.0.1:0', /invalid port/],
    ['tcp://127.0.0.1:x', /invalid port/],
    ['tcp://127.0.0.1:2375/path', /should not contain a path element/],
    ['unix://relative.sock', /must be absolute/],
    [`unix:///${'x'.repeat(120)}`, /longer than 107 bytes/],
  ]
  for (const [input, message] of bad) {
    test(`refuses ${JSON.stringify(input).slice(0, 40)}`, () => {
      assert.throws(() => parseEngineHost(input), message)
      if (input !== '') assert.match(validateEngineHost(input) ?? '', /invalid engine-host/)
    })
  }

  test('an unset value is valid (no engine)', () => {
    assert.equal(validateEngineHost(''), undefined)
    assert.equal(validateEngineHost('   '), undefined)
  })
})
