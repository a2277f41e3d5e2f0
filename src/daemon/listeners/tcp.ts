// tcp:// listeners (§6.4, §6.5): TLS when configured, the insecure-binding warnings and pauses.
import {type AddressInfo, BlockList, isIP} from 'node:net'

import {goJoinHostPort as joinHostPort, splitHostPort} from '../../go/net.js'
import {errnoText} from '../dirs.js'
import type {Opened} from './opened.js'
import {listen, newServer} from './server.js'
import type {DaemonLog, Listener, ListenerOptions} from './types.js'

const defaultInsecureDelay = (loopback: boolean): number => (loopback ? 1000 : 15_000)

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// Made on first use: a BlockList loads two more of Node's modules, and most starts have no TCP.
let loopback: BlockList | undefined

export function isLoopbackIP(ip: string): boolean {
  const v = isIP(ip)
  if (v === 0) return false
  if (!loopback) {
    loopback = new BlockList()
    loopback.addSubnet('127.0.0.0', 8, 'ipv4')
    loopback.addAddress('::1', 'ipv6')
  }

  return loopback.check(ip, v === 6 ? 'ipv6' : 'ipv4')
}

/** Same wording as Go's net package for the port of `listen tcp`. */
function parsePort(port: string): number {
  if (!/^\d+$/.test(port)) throw new Error(`listen tcp: address tcp/${port}: unknown port`)
  const n = Number(port)
  if (n > 65_535) throw new Error(`listen tcp: address ${port}: invalid port`)
  return n
}

async function isLoopbackHost(hostname: string, log: DaemonLog): Promise<boolean> {
  if (hostname === 'localhost') return true
  if (isIP(hostname)) return isLoopbackIP(hostname)
  try {
    return isLoopbackIP((await (await import('node:dns/promises')).lookup(hostname)).address)
  } catch (error) {
    log.error('Error looking up specified host address', {error: (error as Error).message, host: hostname})
    return false
  }
}

/** Go's net.Listen picks one address for a name, IPv4 first. */
async function resolveListenHost(hostname: string): Promise<string> {
  if (hostname === '' || isIP(hostname)) return hostname
  try {
    const all = await (await import('node:dns/promises')).lookup(hostname, {all: true})
    return (all.find((a) => a.family === 4) ?? all[0]!).address
  } catch {
    throw new Error(`listen tcp: lookup ${hostname}: no such host`)
  }
}

async function insecureTCPWarnings(host: string, hostname: string, opts: ListenerOptions): Promise<void> {
  const {log} = opts
  const f = {host}
  const delay = opts.insecureDelayMs ?? defaultInsecureDelay
  log.warn(
    'Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.',
    f,
  )
  log.warn(
    'Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there!',
    f,
  )
  log.warn(
    '[DEPRECATION NOTICE] In future versions this will be a hard failure preventing the daemon from starting! Learn more at: https://docs.docker.com/go/api-security/',
    f,
  )
  await sleep(delay(true))
  // An explicit --tls=false / --tlsverify=false is taken as informed consent (checkTLSAuthOK).
  if (opts.tlsExplicit) return
  if (await isLoopbackHost(hostname, log)) return
  log.warn(
    'Binding to an IP address without --tlsverify is deprecated. Startup is intentionally being slowed down to show this message',
    f,
  )
  log.warn(
    'Please consider generating tls certificates with client validation to prevent exposing unauthenticated root access to your network',
    f,
  )
  log.warn("You can override this by explicitly specifying '--tls=false' or '--tlsverify=false'", f)
  log.warn(
    'Support for listening on TCP without authentication or explicit intent to run without authentication will be removed in the next release',
    f,
  )
  await sleep(delay(false))
}

export async function openTCP(host: string, addr: string, opts: ListenerOptions, opened: Opened): Promise<Listener> {
  let hostname: string
  let port: string
  try {
    ;({host: hostname, port} = splitHostPort(addr))
  } catch (error) {
    throw new Error(`error parsing tcp address: ${(error as Error).message}`)
  }

  const verified = Boolean(opts.tls?.requestCert && opts.tls.rejectUnauthorized)
  if (!verified) await insecureTCPWarnings(host, hostname, opts)
  const portNum = parsePort(port)
  const ip = await resolveListenHost(hostname)
  const server = newServer(opts.tls, opts)
  opened.addServer(server)
  await listen(server, {host: ip === '' ? undefined : ip, port: portNum}).catch((error: unknown) => {
    throw new Error(`listen tcp ${joinHostPort(ip, port)}: bind: ${errnoText(error)}`)
  })
  const a = server.address() as AddressInfo
  return {host, addr: joinHostPort(a.address, a.port), server}
}
