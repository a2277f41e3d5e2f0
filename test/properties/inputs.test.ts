// Property-based tests (fast-check) over the open-ended inputs: argv, daemon.json documents and
// host addresses. Whatever the input: no JS stack trace or JS error text, exit 1 (never 0) for
// what Go's rules refuse, nothing left on disk, each binary run within 5 s. Bounded: a few hundred
// in-process runs and a few dozen binary runs. FC_SEED=<n> replays a failing run; the seed is
// printed with any failure.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readdirSync, writeFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {parseDaemonHost} from '../../src/opts/hosts.js'
import {daemonBuilt, NOT_BUILT, shortTemp} from '../helpers/daemon.js'
import {load} from '../helpers/config.js'
import {BIN, isolatedEnv} from '../helpers/run.js'

const SEED = process.env.FC_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FC_SEED)
const params = (numRuns: number): fc.Parameters<unknown> => ({numRuns, seed: SEED, endOnFailure: true})

/** Texts that only a JavaScript failure prints (a user must never see them). */
const JS_TEXT = /\bat (?:async )?[\w.<>]+ \(|\(node:internal|node:internal\/|TypeError|RangeError|ReferenceError|SyntaxError: |Maximum call stack|is not a function|Cannot read propert|undefined is not|\[object Object\]|ERR_[A-Z_]{4,}/

function noJsText(text: string, what: string): void {
  assert.doesNotMatch(text, JS_TEXT, `${what} shows JavaScript error text (FC_SEED=${SEED}):\n${text}`)
}

/** Runs the built binary with a 5 s bound in a temp HOME; returns status and output, and what it left. */
function runBinary(args: string[], files: Record<string, string> = {}): {left: string[]; status: null | number; stderr: string; stdout: string} {
  const t = shortTemp()
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(t.p(name), text)
    const before = new Set(readdirSync(t.dir))
    const argv = args.map((a) => a.replaceAll('$T', t.dir))
    const r = spawnSync(process.execPath, [BIN, ...argv], {encoding: 'utf8', env: isolatedEnv(t.dir), timeout: 5000})
    if (r.error) throw new Error(`run did not finish within 5 s (FC_SEED=${SEED}): dockerd ${argv.join(' ')}`)
    return {left: readdirSync(t.dir).filter((n) => !before.has(n)), status: r.status, stderr: r.stderr, stdout: r.stdout}
  } finally {
    t.done()
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

const INT_KEYS = ['max-concurrent-downloads', 'max-concurrent-uploads', 'shutdown-timeout', 'mtu', 'max-download-attempts', 'oom-score-adjust', 'max-connections-per-listener']
const STRING_KEYS = ['log-level', 'data-root', 'exec-root', 'pidfile', 'storage-driver', 'log-driver', 'api-cors-header', 'cgroup-parent']
const LIST_KEYS = ['hosts', 'labels', 'dns', 'registry-mirrors', 'insecure-registries', 'exec-opts']
const BOOL_KEYS = ['debug', 'tls', 'tlsverify', 'experimental', 'live-restore', 'ipv6', 'disable-legacy-registry']

/** A JSON number as text: integer, fraction, exponent, huge, negative. */
const numberText = fc.oneof(
  fc.integer({max: 100_000, min: -100_000}).map(String),
  fc.bigInt({max: 2n ** 70n, min: -(2n ** 70n)}).map(String),
  fc.tuple(fc.integer({max: 999, min: 0}), fc.integer({max: 99, min: 0})).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.integer({max: 9, min: 1}), fc.constantFrom('e', 'E', 'e+', 'e-'), fc.integer({max: 30, min: 0})).map(([a, e, x]) => `${a}${e}${x}`),
)

/** encoding/json's rule for an int field. */
const goAcceptsInt = (text: string): boolean => /^-?(0|[1-9]\d*)$/.test(text) && BigInt(text) >= -(2n ** 63n) && BigInt(text) < 2n ** 63n

const anyJsonText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    numberText,
    fc.string().map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value') as fc.Arbitrary<string>, {maxLength: 4}).map((a) => `[${a.join(',')}]`),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...INT_KEYS, ...STRING_KEYS, ...LIST_KEYS, ...BOOL_KEYS), fc.string()), tie('value') as fc.Arbitrary<string>), {maxLength: 4}).map(
      (kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`,
    ),
  ),
})).value

/** A daemon.json document: known keys with values of any type, sometimes broken or deeply nested. */
const daemonJson = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom(...INT_KEYS, ...STRING_KEYS, ...LIST_KEYS, ...BOOL_KEYS), anyJsonText), {maxLength: 6}).map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`),
  anyJsonText,
  fc.string(),
  fc.tuple(fc.constantFrom('[', '{"a":'), fc.integer({max: 20_000, min: 1})).map(([open, n]) => `{"x": ${open.repeat(n)}`),
)

const hostAddress = fc.oneof(
  fc.string(),
  fc.tuple(fc.constantFrom('tcp://', 'unix://', 'fd://', 'npipe://', 'ssh://', 'http://', '', 'TCP://', 'tcp:/'), fc.string(), fc.option(fc.integer({max: 99_999, min: -1}))).map(
    ([scheme, host, port]) => `${scheme}${host}${port === null ? '' : `:${port}`}`,
  ),
  fc.tuple(fc.ipV4(), fc.integer({max: 70_000, min: 0})).map(([ip, port]) => `tcp://${ip}:${port}`),
  fc.tuple(fc.ipV6(), fc.integer({max: 70_000, min: 0})).map(([ip, port]) => `tcp://[${ip}]:${port}`),
  fc.stringMatching(/^unix:\/\/\/[a-z/]{0,200}$/),
)

const FLAGS = ['--debug', '-D', '--log-level', '-l', '--host', '-H', '--tls', '--tlsverify', '--tlscacert', '--data-root', '--exec-root', '--pidfile', '-p', '--shutdown-timeout', '--mtu', '--label', '--dns', '--max-concurrent-downloads', '--max-connections-per-listener', '--group', '-G', '--storage-opt', '--default-ulimit', '--bip', '--nonsense', '-Z', '--', '-', '--debug=false', '-D=true']
const argvToken = fc.oneof(fc.constantFrom(...FLAGS), fc.string(), numberText, fc.constantFrom('tcp://127.0.0.1:0', 'unix://$T/x.sock', 'true', 'false', '=', 'a=b'))

// ---------------------------------------------------------------------------------------------

describe(`properties (FC_SEED=${SEED})`, {timeout: 170_000}, () => {
  it('daemon.json (in process): never a throw or JS text; integer keys follow encoding/json', () => {
    fc.assert(
      fc.property(daemonJson, (text) => {
        const r = load({file: text})
        noJsText(r.text, 'the rendered problems')
        for (const p of r.problems) assert.equal(typeof p.message, 'string')
      }),
      params(300),
    )
    fc.assert(
      fc.property(fc.constantFrom(...INT_KEYS.filter((k) => k !== 'oom-score-adjust')), numberText, (key, n) => {
        const r = load({file: `{"${key}": ${n}}`})
        if (goAcceptsInt(n)) return
        assert.equal(r.config, undefined, `accepted ${key}: ${n} (FC_SEED=${SEED})`)
        assert.match(r.text, new RegExp(`json: cannot unmarshal number ${n.replace(/[+.]/g, '\\$&')} into Go struct field Config\\.${key} of type int`))
      }),
      params(300),
    )
  })

  it('host addresses (in process): an answer or a clean error, never a JS error', () => {
    fc.assert(
      fc.property(hostAddress, (h) => {
        try {
          const out = parseDaemonHost(h.trim(), {})
          assert.equal(typeof out, 'string')
        } catch (error) {
          assert.ok(error instanceof Error)
          assert.ok(!(error instanceof TypeError || error instanceof RangeError), `${(error as Error).name} for ${JSON.stringify(h)} (FC_SEED=${SEED})`)
          noJsText((error as Error).message, `the error for ${JSON.stringify(h)}`)
        }
      }),
      params(500),
    )
  })

  it('daemon.json through the binary (--validate): exit 0 or 1, no JS text, nothing left, within 5 s', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
    fc.assert(
      fc.property(daemonJson, (text) => {
        const r = runBinary(['--validate', '--config-file', '$T/daemon.json'], {'daemon.json': text})
        assert.ok(r.status === 0 || r.status === 1, `status ${r.status} (FC_SEED=${SEED})`)
        noJsText(r.stderr + r.stdout, 'dockerd --validate')
        assert.deepEqual(r.left, [])
      }),
      params(12),
    )
  })

  it('argv and -H through the binary (--validate): exit 0 or 1, no JS text, nothing left, within 5 s', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
    fc.assert(
      fc.property(fc.array(argvToken, {maxLength: 6}), (argv) => {
        // --validate first: a trailing one could be taken as a string flag's value (pflag does
        // that too: `--pidfile --validate`) and the daemon would really start.
        const r = runBinary(['--validate', ...argv.filter((a) => a !== '--version' && a !== '-v')])
        assert.ok(r.status === 0 || r.status === 1, `status ${r.status} for ${JSON.stringify(argv)} (FC_SEED=${SEED})`)
        noJsText(r.stderr + r.stdout, `dockerd ${argv.join(' ')}`)
        assert.deepEqual(r.left, [], `left behind by ${JSON.stringify(argv)}`)
      }),
      params(12),
    )
    fc.assert(
      fc.property(hostAddress, (h) => {
        const r = runBinary([`--host=${h}`, '--validate'])
        assert.ok(r.status === 0 || r.status === 1, `status ${r.status} for -H ${JSON.stringify(h)} (FC_SEED=${SEED})`)
        noJsText(r.stderr + r.stdout, `dockerd -H ${JSON.stringify(h)}`)
        if (r.status === 0 && h.trim() !== '') assert.doesNotThrow(() => parseDaemonHost(h.trim(), {}), `exit 0 for a host Go refuses: ${JSON.stringify(h)} (FC_SEED=${SEED})`)
        assert.deepEqual(r.left, [])
      }),
      params(10),
    )
  })
})
