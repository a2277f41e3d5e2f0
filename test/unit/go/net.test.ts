import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {splitHostPort as listenerSplit} from '../../../src/daemon/listeners/index.js'
import {GoAddrError, goJoinHostPort, goSplitHostPort, splitHostPort} from '../../../src/go/net.js'
import {OptsError} from '../../../src/opts/errors.js'
import {parseMetricsAddr, validateMetricsAddr} from '../../../src/plugins/builtin/metrics.js'

// Go 1.26 net.SplitHostPort (net/ipsock.go) and its *AddrError texts. The listeners and the
// metrics plugin each had a copy; two inputs below show where those copies strayed from Go.
const OK: Array<[string, string, string]> = [
  ['localhost:http', 'localhost', 'http'],
  ['127.0.0.1:2375', '127.0.0.1', '2375'],
  ['[::1]:2375', '::1', '2375'],
  ['[fe80::1%lo0]:80', 'fe80::1%lo0', '80'],
  [':9323', '', '9323'],
  ['0.0.0.0:', '0.0.0.0', ''],
  ['[]:80', '', '80'],
  [':', '', ''],
]

const BAD: Array<[string, string]> = [
  ['', 'missing port in address'],
  ['host', 'address host: missing port in address'],
  ['[::1]', 'address [::1]: missing port in address'],
  ['[::1]x:80', 'address [::1]x:80: missing port in address'],
  ['[::1:80', "address [::1:80: missing ']' in address"],
  ['::1:80', 'address ::1:80: too many colons in address'],
  // Both copies accepted this and returned the port `80:90`.
  ['[::1]:80:90', 'address [::1]:80:90: too many colons in address'],
  // The metrics copy said `unexpected '['` here; the listeners' copy accepted it.
  ['a]:80', "address a]:80: unexpected ']' in address"],
  ['a[:80', "address a[:80: unexpected '[' in address"],
  ['[a[b]:80', "address [a[b]:80: unexpected '[' in address"],
]

describe('go/net', () => {
  it('SplitHostPort: host and port', () => {
    for (const [input, host, port] of OK) {
      assert.deepEqual(splitHostPort(input), {host, port}, input)
      assert.deepEqual(goSplitHostPort(input), [host, port], input)
    }
  })

  it("SplitHostPort: Go's *AddrError texts", () => {
    for (const [input, message] of BAD) {
      assert.throws(() => splitHostPort(input), (error: unknown) => {
        assert.ok(error instanceof GoAddrError && error instanceof OptsError, input)
        assert.equal(error.message, message, input)
        return true
      })
      assert.equal(goSplitHostPort(input), undefined, input)
    }
  })

  it('listeners and the metrics plugin use the one SplitHostPort', () => {
    assert.equal(listenerSplit, splitHostPort)
    for (const [input, message] of BAD.filter(([i]) => i !== '')) {
      assert.throws(() => parseMetricsAddr(input), {message}, input)
      assert.equal(validateMetricsAddr(input), `invalid metrics-addr ${JSON.stringify(input)}: ${message} (expected host:port)`)
    }
  })

  it('JoinHostPort brackets hosts with a colon', () => {
    assert.equal(goJoinHostPort('127.0.0.1', 80), '127.0.0.1:80')
    assert.equal(goJoinHostPort('::1', '2375'), '[::1]:2375')
    assert.equal(goJoinHostPort('', 0), ':0')
  })
})
