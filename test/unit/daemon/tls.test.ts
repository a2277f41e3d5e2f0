import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {loadTLSOptions, parseCACertificates, tlsDecision} from '../../../src/daemon/tls.js'
import {type CA, hasCommand, makeCA, makeLeaf, tempDir} from './helpers.js'

describe('tlsDecision (§6.6)', () => {
  const table: Array<[string, {tls?: boolean | null; tlsverify?: boolean | null}, {enabled: boolean; verify: boolean; explicit: boolean}]> = [
    ['nothing', {}, {enabled: false, verify: false, explicit: false}],
    ['nulls are unset', {tls: null, tlsverify: null}, {enabled: false, verify: false, explicit: false}],
    ['--tls', {tls: true}, {enabled: true, verify: true, explicit: true}],
    ['--tls --tlsverify=false', {tls: true, tlsverify: false}, {enabled: true, verify: false, explicit: true}],
    ['--tlsverify', {tlsverify: true}, {enabled: true, verify: true, explicit: true}],
    ['--tlsverify=false', {tlsverify: false}, {enabled: true, verify: false, explicit: true}],
    ['--tls=false', {tls: false}, {enabled: false, verify: false, explicit: true}],
    ['--tls=false --tlsverify', {tls: false, tlsverify: true}, {enabled: true, verify: true, explicit: true}],
  ]
  for (const [name, input, want] of table) {
    it(name, () => assert.deepEqual(tlsDecision(input), want))
  }
})

describe('loadTLSOptions errors without certificates', {timeout: 10_000}, () => {
  it('empty paths: dockerd --tlsverify=false with no certs (TestTLSVerify) fails, saying which settings are empty', async () => {
    // dockerd says `open : no such file or directory`, which names nothing (issue 11 #6).
    await assert.rejects(loadTLSOptions({tlscert: '', tlskey: '', verify: false}), {
      message: 'could not load X509 key pair (cert: "", key: ""): --tlscert (daemon.json "tlscert") is empty; --tlskey (daemon.json "tlskey") is empty',
    })
  })

  it('a missing certificate file is named', async () => {
    const t = tempDir()
    try {
      const cert = join(t.dir, 'cert.pem')
      const key = join(t.dir, 'key.pem')
      await assert.rejects(loadTLSOptions({tlscert: cert, tlskey: key, verify: false}), {
        message: `could not load X509 key pair (cert: "${cert}", key: "${key}"): open ${cert}: no such file or directory`,
      })
    } finally {
      t.remove()
    }
  })
})

describe('loadTLSOptions with openssl-made certificates', {timeout: 60_000}, () => {
  const skip = hasCommand('openssl', ['version']) ? false : 'openssl CLI not available'
  const t = tempDir()
  let ca: CA
  let server: CA
  const p = (name: string): string => join(t.dir, name)
  const pair = (cert: string, key: string): string => `(cert: "${cert}", key: "${key}")`

  before(() => {
    if (skip) return
    ca = makeCA(t.dir, 'ca')
    server = makeLeaf(t.dir, ca, 'server', 'serverAuth')
    writeFileSync(p('empty.pem'), '')
    writeFileSync(p('garbage.pem'), 'this is not PEM\n')
    writeFileSync(
      p('bad-block.pem'),
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    )
  })
  after(() => t.remove())

  it('good pair with verify: client certs required, only our CA', {skip}, async () => {
    const o = await loadTLSOptions({tlscacert: ca.cert, tlscert: server.cert, tlskey: server.key, verify: true})
    assert.equal(o.requestCert, true)
    assert.equal(o.rejectUnauthorized, true)
    assert.equal(o.minVersion, 'TLSv1.2')
    assert.deepEqual(o.ALPNProtocols, ['http/1.1'])
    assert.equal((o.ca as string[]).length, 1)
  })

  it('verify=false does not read the CA at all', {skip}, async () => {
    const o = await loadTLSOptions({tlscacert: p('missing-ca.pem'), tlscert: server.cert, tlskey: server.key, verify: false})
    assert.equal(o.requestCert, false)
    assert.equal(o.rejectUnauthorized, false)
    assert.equal(o.ca, undefined)
  })

  const keyPairCases: Array<[string, () => [string, string], string]> = [
    ['empty certificate', () => [p('empty.pem'), server.key], 'tls: failed to find any PEM data in certificate input'],
    ['garbage certificate', () => [p('garbage.pem'), server.key], 'tls: failed to find any PEM data in certificate input'],
    ['garbage DER in a PEM block', () => [p('bad-block.pem'), server.key], 'x509: malformed certificate'],
    ['empty key', () => [server.cert, p('empty.pem')], 'tls: failed to find any PEM data in key input'],
    ['garbage key', () => [server.cert, p('garbage.pem')], 'tls: failed to find any PEM data in key input'],
    [
      'swapped certificate and key',
      () => [server.key, server.cert],
      'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched',
    ],
    ['key of another certificate', () => [server.cert, ca.key], 'tls: private key does not match public key'],
    ['certificate path is a directory', () => [t.dir, server.key], `read ${t.dir}: is a directory`],
  ]
  for (const [name, files, tail] of keyPairCases) {
    it(`refuses ${name}, naming the files`, {skip}, async () => {
      const [cert, key] = files()
      await assert.rejects(loadTLSOptions({tlscert: cert, tlskey: key, verify: false}), {
        message: `error reading X509 key pair - make sure the key is not encrypted ${pair(cert, key)}: ${tail}`,
      })
    })
  }

  it('refuses a missing key file with the "could not load" form', {skip}, async () => {
    const key = p('nokey.pem')
    await assert.rejects(loadTLSOptions({tlscert: server.cert, tlskey: key, verify: true}), {
      message: `could not load X509 key pair ${pair(server.cert, key)}: open ${key}: no such file or directory`,
    })
  })

  it('refuses an encrypted key', {skip}, async () => {
    const {execFileSync} = await import('node:child_process')
    const enc = p('enc-key.pem')
    execFileSync('openssl', ['pkey', '-in', server.key, '-aes256', '-passout', 'pass:secret', '-out', enc], {stdio: 'pipe'})
    await assert.rejects(loadTLSOptions({tlscert: server.cert, tlskey: enc, verify: false}), {
      message: `error reading X509 key pair - make sure the key is not encrypted ${pair(server.cert, enc)}: tls: failed to parse private key`,
    })
  })

  it('refuses a missing CA', {skip}, async () => {
    const caFile = p('no-ca.pem')
    await assert.rejects(loadTLSOptions({tlscacert: caFile, tlscert: server.cert, tlskey: server.key, verify: true}), {
      message: `could not read CA certificate "${caFile}": open ${caFile}: no such file or directory`,
    })
  })

  for (const name of ['empty.pem', 'garbage.pem', 'bad-block.pem']) {
    it(`refuses CA file ${name} (Node would accept it silently)`, {skip}, async () => {
      await assert.rejects(loadTLSOptions({tlscacert: p(name), tlscert: server.cert, tlskey: server.key, verify: true}), {
        message: `failed to append certificates from PEM file: "${p(name)}"`,
      })
    })
  }

  it('parseCACertificates keeps the good blocks of a mixed bundle', {skip}, () => {
    const bundle = readFileSync(p('bad-block.pem'), 'utf8') + readFileSync(ca.cert, 'utf8') + readFileSync(server.key, 'utf8')
    assert.equal(parseCACertificates(bundle).length, 1)
  })
})
