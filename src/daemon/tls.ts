import type {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import type {SecureContextOptions} from 'node:tls'

import {goPathError} from './dirs.js'

// node:crypto and node:tls load when TLS is configured, not with every start.
const nodeRequire = createRequire(import.meta.url)
const crypto = (): typeof import('node:crypto') => nodeRequire('node:crypto')
const tls = (): typeof import('node:tls') => nodeRequire('node:tls')

/** The merged tls/tlsverify settings; undefined or null = not set anywhere (flag or file). */
export interface TLSSettings {
  tls?: boolean | null
  tlsverify?: boolean | null
}

export interface TLSDecision {
  /** Serve TCP with TLS. The default host (no -H) is then tcp://localhost:2376. */
  enabled: boolean
  /** Require and verify a client certificate signed by tlscacert. */
  verify: boolean
  /** tls or tlsverify was given at all, even as false: suppresses the 15 s insecure-TCP pause. */
  explicit: boolean
}

/**
 * §6.6 (current): giving tlsverify at all (even false) turns TLS on; an unset tlsverify takes
 * tls's value, so `--tls` alone verifies clients; `--tls=false` is off but explicit.
 */
export function tlsDecision(settings: TLSSettings): TLSDecision {
  const tlsSet = settings.tls !== undefined && settings.tls !== null
  const verifySet = settings.tlsverify !== undefined && settings.tlsverify !== null
  const enabled = verifySet ? true : settings.tls === true
  const verify = enabled && (verifySet ? settings.tlsverify === true : settings.tls === true)
  return {enabled, verify, explicit: tlsSet || verifySet}
}

export interface TLSFiles {
  tlscacert?: string
  tlscert?: string
  tlskey?: string
  /** Require client certificates (tlsDecision().verify). */
  verify: boolean
  /** Default paths that were looked for and not found (the file is then ''), named in the error. */
  missingDefaults?: {tlscert?: string; tlskey?: string}
}

export type ServerTLSOptions = SecureContextOptions & {
  requestCert: boolean
  rejectUnauthorized: boolean
  ALPNProtocols: string[]
}

/**
 * go-connections tlsconfig's server suites for TLS 1.2 (ECDHE with AEAD only, in its order), then
 * the TLS 1.3 suites Go always offers. OpenSSL's default would add 15 more under TLS 1.2.
 */
export const SERVER_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':')

/** Go's %q for ordinary strings. */
function q(s: string): string {
  return JSON.stringify(s)
}

export interface PemBlock {
  type: string
  headers: boolean
  text: string
}

/** encoding/pem.Decode, good enough to classify blocks the way crypto/tls does. */
export function pemBlocks(pem: string): PemBlock[] {
  const out: PemBlock[] = []
  const re = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g
  for (const m of pem.matchAll(re)) {
    out.push({type: m[1]!, headers: /^[\w-]+:/m.test(m[2]!), text: m[0]})
  }

  return out
}

/** tls.X509KeyPair's checks and messages, so garbage is refused at start, as dockerd does. */
function checkKeyPair(certPem: string, keyPem: string): void {
  const certBlocks = pemBlocks(certPem)
  const certs = certBlocks.filter((b) => b.type === 'CERTIFICATE')
  if (certs.length === 0) {
    const skipped = certBlocks.map((b) => b.type)
    if (skipped.length === 0) throw new Error('tls: failed to find any PEM data in certificate input')
    if (skipped.length === 1 && skipped[0]!.endsWith('PRIVATE KEY')) {
      throw new Error(
        'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched',
      )
    }

    throw new Error(
      `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`,
    )
  }

  const keyBlocks = pemBlocks(keyPem)
  const key = keyBlocks.find((b) => b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY'))
  if (!key) {
    const skipped = keyBlocks.map((b) => b.type)
    if (skipped.length === 0) throw new Error('tls: failed to find any PEM data in key input')
    if (skipped.length === 1 && skipped[0] === 'CERTIFICATE') {
      throw new Error('tls: found a certificate rather than a key in the PEM for the private key')
    }

    throw new Error(
      `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`,
    )
  }

  let leaf: X509Certificate
  try {
    leaf = new (crypto().X509Certificate)(certs[0]!.text)
  } catch {
    throw new Error('x509: malformed certificate')
  }

  let pub: string
  try {
    // Encrypted keys fail here too (no passphrase), which is what the "not encrypted" hint is for.
    pub = crypto().createPublicKey(crypto().createPrivateKey(key.text)).export({type: 'spki', format: 'pem'}).toString()
  } catch {
    throw new Error('tls: failed to parse private key')
  }

  if (leaf.publicKey.export({type: 'spki', format: 'pem'}).toString() !== pub) {
    throw new Error('tls: private key does not match public key')
  }
}

/**
 * x509.CertPool.AppendCertsFromPEM: keeps the CERTIFICATE blocks (without headers) that parse.
 * Node's own `ca` option silently accepts garbage, after which no client could ever verify.
 */
export function parseCACertificates(pem: string): string[] {
  const good: string[] = []
  for (const b of pemBlocks(pem)) {
    if (b.type !== 'CERTIFICATE' || b.headers) continue
    try {
      good.push(new (crypto().X509Certificate)(b.text).toString())
    } catch {
      // Skipped, as Go does.
    }
  }

  return good
}

async function readPem(path: string): Promise<string> {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw Object.assign(new Error(goPathError(e.syscall ?? 'open', path, e)), {code: e.code})
  }
}

/**
 * The API server's TLS settings (go-connections tlsconfig.Server as dockerd uses it): key pair
 * always, client CAs only when verifying, from tlscacert alone (no system roots). Every file is
 * read and checked now. Errors read like dockerd's; the caller prefixes `invalid TLS configuration: `.
 */
export async function loadTLSOptions(files: TLSFiles): Promise<ServerTLSOptions> {
  const certFile = files.tlscert ?? ''
  const keyFile = files.tlskey ?? ''
  const caFile = files.tlscacert ?? ''
  const pair = `(cert: ${q(certFile)}, key: ${q(keyFile)})`
  // dockerd says `open : no such file or directory`; say which setting is missing and where we looked.
  const unset = (['tlscert', 'tlskey'] as const).filter((name) => (name === 'tlscert' ? certFile : keyFile) === '')
  if (unset.length > 0) {
    const why = unset.map((name) => {
      const looked = files.missingDefaults?.[name]
      return looked === undefined
        ? `--${name} (daemon.json "${name}") is empty`
        : `--${name} (daemon.json "${name}") is not set and its default ${looked} does not exist`
    })
    throw new Error(`could not load X509 key pair ${pair}: ${why.join('; ')}`)
  }

  let cert: string
  let key: string
  try {
    cert = await readPem(certFile)
    key = await readPem(keyFile)
    checkKeyPair(cert, key)
    // Whatever else OpenSSL dislikes (unsupported curve, ...) is caught now, not at handshake.
    tls().createSecureContext({cert, key})
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (e.code === 'ENOENT') throw new Error(`could not load X509 key pair ${pair}: ${e.message}`)
    throw new Error(`error reading X509 key pair - make sure the key is not encrypted ${pair}: ${e.message}`)
  }

  const options: ServerTLSOptions = {
    cert,
    key,
    ciphers: SERVER_CIPHERS,
    minVersion: 'TLSv1.2',
    // Go servers never renegotiate; OpenSSL would let a client ask for it (CPU for free).
    secureOptions: crypto().constants.SSL_OP_NO_RENEGOTIATION,
    // The TCP listener wrapper serves HTTP/1.1 only.
    ALPNProtocols: ['http/1.1'],
    requestCert: files.verify,
    rejectUnauthorized: files.verify,
  }

  if (files.verify) {
    // Go would verify clients against the system roots: any public CA's certificate would get in.
    if (caFile === '') throw new Error('--tlscacert (daemon.json "tlscacert") is empty: --tlsverify needs the CA file that signs the client certificates')
    let pem: string
    try {
      pem = await readPem(caFile)
    } catch (error) {
      throw new Error(`could not read CA certificate ${q(caFile)}: ${(error as Error).message}`)
    }

    const ca = parseCACertificates(pem)
    if (ca.length === 0) throw new Error(`failed to append certificates from PEM file: ${q(caFile)}`)
    options.ca = ca
  }

  try {
    tls().createSecureContext(options)
  } catch (error) {
    throw new Error(`invalid TLS settings (cert: ${q(certFile)}, key: ${q(keyFile)}, ca: ${q(caFile)}): ${(error as Error).message}`)
  }

  return options
}
