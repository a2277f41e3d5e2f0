// Who sent a request: the listener it came through and how the caller is known (a verified TLS
// client certificate, a unix socket peer's uid/gid, or plain TCP: nobody in particular). Worked
// out once per connection and kept with the socket: every request on it has the same caller.
import {createRequire} from 'node:module'
import type {Socket} from 'node:net'
import type {PeerCertificate, TLSSocket} from 'node:tls'

import {hostOS} from '../platform/platform.js'
import type {CallerIdentity} from './types.js'

/** The -H address of the listener each accepted socket came through (set by serve()). */
const listenerOf = new WeakMap<object, string>()
const identities = new WeakMap<object, CallerIdentity>()

/** Marks a socket as accepted on the listener `host` (its -H address). */
export function tagSocket(socket: object, host: string): void {
  listenerOf.set(socket, host)
}

interface PeerCred {
  pid: number
  uid: number
  gid: number
}

type PeerCredFn = (fd: number) => PeerCred | null

let peercred: PeerCredFn | null | undefined

/**
 * The native SO_PEERCRED reader (src/native/peercred.c, built by `npm run build` when a C compiler
 * is there). Node has no API for it. Absent: unix callers' uid/gid are unknown, nothing else changes.
 */
function loadPeerCred(): PeerCredFn | null {
  if (peercred !== undefined) return peercred
  peercred = null
  if (!hostOS()?.peerCredentials) return peercred
  const require = createRequire(import.meta.url)
  // lib/api/identity.js and the bundles in lib/ find it at different relative paths.
  for (const rel of ['../native/peercred.node', './native/peercred.node']) {
    try {
      const mod = require(rel) as {peercred?: PeerCredFn}
      if (typeof mod.peercred === 'function') {
        peercred = mod.peercred
        break
      }
    } catch {}
  }

  return peercred
}

/** Whether unix callers' uid/gid can be known here (the native reader loaded). */
export function peerCredAvailable(): boolean {
  return loadPeerCred() !== null
}

/** A unix socket peer's credentials, or undefined when the OS (or a missing native reader) does not tell. */
export function peerCredOf(socket: Socket): PeerCred | undefined {
  const read = loadPeerCred()
  const fd = (socket as Socket & {_handle?: {fd?: number}})._handle?.fd
  if (!read || typeof fd !== 'number' || fd < 0) return undefined
  try {
    return read(fd) ?? undefined
  } catch {
    return undefined
  }
}

/**
 * Splits Node's `subjectaltname` text (`DNS:a, IP Address:1.2.3.4, email:"x, y"`) into its names;
 * values with special characters come quoted (JSON string syntax).
 */
export function splitSubjectAltName(text: string | undefined): string[] {
  if (!text) return []
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    let item = ''
    while (i < text.length && text[i] !== ',') {
      if (text[i] === '"') {
        // A quoted value: JSON string syntax up to the closing quote.
        let j = i + 1
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
        const quoted = text.slice(i, j + 1)
        try {
          item += JSON.parse(quoted) as string
        } catch {
          item += quoted
        }

        i = j + 1
      } else {
        item += text[i++]
      }
    }

    if (item.trim() !== '') out.push(item.trim())
    i++ // the comma
  }

  return out
}

/** Go's pkix.Name.CommonName: with several CN attributes, the last one read. */
export function commonNameOf(cert: Pick<PeerCertificate, 'subject'> | undefined): string {
  const cn = (cert?.subject as Record<string, string | string[] | undefined> | undefined)?.CN
  if (Array.isArray(cn)) return cn.at(-1) ?? ''
  return cn ?? ''
}

/** The name a verified certificate gives its holder: the CN, else the first SAN's value. */
export function certificateName(cn: string, sans: readonly string[]): string {
  if (cn !== '') return cn
  const first = sans[0]
  if (first === undefined) return ''
  const colon = first.indexOf(':')
  return colon < 0 ? first : first.slice(colon + 1)
}

/** The caller of a request that came on `socket` (cached per connection). */
export function identityOf(socket: Socket): CallerIdentity {
  let id = identities.get(socket)
  if (id) return id
  const listener = listenerOf.get(socket) ?? ''
  const tls = socket as Partial<TLSSocket>
  if (tls.encrypted) {
    const verified = tls.authorized === true && typeof tls.getPeerCertificate === 'function'
    const cert = verified ? tls.getPeerCertificate!() : undefined
    const hasCert = cert !== undefined && Object.keys(cert).length > 0
    const cn = hasCert ? commonNameOf(cert) : ''
    const sans = hasCert ? splitSubjectAltName(cert.subjectaltname) : []
    id = {address: remote(socket), cn, listener, method: 'tls', name: hasCert ? certificateName(cn, sans) : '', sans}
  } else if (socket.remoteAddress === undefined && (listener === '' || listener.startsWith('unix://') || listener.startsWith('fd://'))) {
    // A unix socket (no remote address); SO_PEERCRED says who is at the other end.
    const cred = peerCredOf(socket)
    id = {listener, method: 'unix', name: '', ...(cred ? {gid: cred.gid, pid: cred.pid, uid: cred.uid} : {})}
  } else {
    id = {address: remote(socket), listener, method: 'tcp', name: ''}
  }

  identities.set(socket, id)
  return id
}

function remote(socket: Socket): string | undefined {
  if (socket.remoteAddress === undefined) return undefined
  const host = socket.remoteAddress.includes(':') ? `[${socket.remoteAddress}]` : socket.remoteAddress
  return `${host}:${socket.remotePort}`
}
