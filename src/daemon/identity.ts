import type {IncomingMessage} from 'node:http'
import type {PeerCertificate, TLSSocket} from 'node:tls'

/** Who sent a request, as authorization plugins see it (moby's AuthZRequest User / UserAuthNMethod). */
export interface CallerIdentity {
  /** The client certificate's subject CN, else its first subjectAltName; '' without a certificate. */
  user: string
  /** 'TLS' whenever a verified client certificate was presented, even one without any name. */
  method: '' | 'TLS'
}

/**
 * The name of a verified peer certificate. Go's pkix.Name keeps the last CN of the subject
 * (FillFromRDNSequence overwrites it per attribute), and Node lists them in order, so the last
 * one is Go's. Without a CN, the first subjectAltName value (`DNS:host` → `host`) names it.
 */
export function certificateName(cert: Pick<PeerCertificate, 'subject' | 'subjectaltname'> | undefined): string {
  const cn = cert?.subject?.CN as string | string[] | undefined
  const last = Array.isArray(cn) ? cn.at(-1) : cn
  if (last) return last
  const first = (cert?.subjectaltname ?? '').split(', ')[0] ?? ''
  const colon = first.indexOf(':')
  return colon < 0 ? '' : first.slice(colon + 1)
}

/**
 * The identity of a request's connection. Only a certificate the TLS layer verified counts (an
 * unverified one, under --tls without --tlsverify, is the same as none, as in dockerd, which
 * never requests one then).
 */
export function callerIdentity(req: Pick<IncomingMessage, 'socket'>): CallerIdentity {
  const socket = req.socket as Partial<TLSSocket>
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return {method: '', user: ''}
  const cert = socket.getPeerCertificate()
  if (!cert || Object.keys(cert).length === 0) return {method: '', user: ''}
  return {method: 'TLS', user: certificateName(cert)}
}
