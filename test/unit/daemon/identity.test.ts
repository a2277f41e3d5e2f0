import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {callerIdentity, certificateName} from '../../../src/daemon/identity.js'

describe('certificateName (Go reads the last CN; SANs when there is none)', () => {
  const table: Array<[string, Parameters<typeof certificateName>[0], string]> = [
    ['one CN', {subject: {CN: 'alice'} as never, subjectaltname: 'DNS:ignored'}, 'alice'],
    ['several CNs: the last, as pkix.Name.FillFromRDNSequence keeps', {subject: {CN: ['first', 'second']} as never, subjectaltname: ''}, 'second'],
    ['no CN: the first SAN value', {subject: {O: 'org'} as never, subjectaltname: 'DNS:carol.example, email:c@example'}, 'carol.example'],
    ['no CN, an email SAN', {subject: {} as never, subjectaltname: 'email:dave@example'}, 'dave@example'],
    ['no name at all', {subject: {} as never, subjectaltname: undefined as never}, ''],
    ['no certificate', undefined, ''],
  ]
  for (const [name, cert, want] of table) it(name, () => assert.equal(certificateName(cert), want))
})

describe('callerIdentity', () => {
  const sock = (s: object) => ({socket: s}) as never
  it('a verified certificate without any name still makes the method TLS', () => {
    assert.deepEqual(callerIdentity(sock({authorized: true, getPeerCertificate: () => ({subject: {O: 'x'}, subjectaltname: ''})})), {method: 'TLS', user: ''})
  })
  it('a verified certificate with a CN', () => {
    assert.deepEqual(callerIdentity(sock({authorized: true, getPeerCertificate: () => ({subject: {CN: 'alice'}})})), {method: 'TLS', user: 'alice'})
  })
  it('an unverified socket, a unix socket, an empty peer certificate: no identity', () => {
    assert.deepEqual(callerIdentity(sock({authorized: false, getPeerCertificate: () => ({subject: {CN: 'mallory'}})})), {method: '', user: ''})
    assert.deepEqual(callerIdentity(sock({})), {method: '', user: ''})
    assert.deepEqual(callerIdentity(sock({authorized: true, getPeerCertificate: () => ({})})), {method: '', user: ''})
  })
})
