import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {DaemonLog} from '../../../src/daemon/listeners/index.js'

/** A fresh temp dir and its remover (call it in t.after / finally). */
export function tempDir(prefix = 'dockerd-daemon-'): {dir: string; remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, remove: () => rmSync(dir, {recursive: true, force: true})}
}

export interface Logged {
  level: 'info' | 'warn' | 'error' | 'debug'
  msg: string
  fields?: Record<string, unknown>
}

export function captureLog(): DaemonLog & {entries: Logged[]} {
  const entries: Logged[] = []
  const at =
    (level: Logged['level']) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      entries.push({level, msg, fields})
    }
  return {entries, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug')}
}

export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, {stdio: 'ignore', timeout: 5000})
  return r.error === undefined && r.status === 0
}

const OPENSSL_CNF = `[req]
distinguished_name=dn
prompt=no
[dn]
CN=test
[v3_ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
`

export interface CA {
  cert: string
  key: string
}

/** EC P-256 certificates with the openssl CLI, as node-ecosystem §5 did. */
export function makeCA(dir: string, name: string): CA {
  const cnf = join(dir, 'openssl.cnf')
  writeFileSync(cnf, OPENSSL_CNF)
  const key = join(dir, `${name}-key.pem`)
  const cert = join(dir, `${name}.pem`)
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key])
  openssl(['req', '-x509', '-new', '-key', key, '-config', cnf, '-extensions', 'v3_ca', '-subj', `/CN=${name}`, '-days', '2', '-out', cert])
  return {cert, key}
}

export function makeLeaf(dir: string, ca: CA, name: string, usage: 'serverAuth' | 'clientAuth'): CA {
  const cnf = join(dir, 'openssl.cnf')
  const key = join(dir, `${name}-key.pem`)
  const csr = join(dir, `${name}.csr`)
  const ext = join(dir, `${name}.ext`)
  const cert = join(dir, `${name}.pem`)
  writeFileSync(ext, `subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=${usage}\n`)
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key])
  openssl(['req', '-new', '-key', key, '-config', cnf, '-subj', `/CN=${name}`, '-out', csr])
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert])
  return {cert, key}
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, {stdio: 'pipe', timeout: 20_000})
}
