// The upstream engine's address: the forms a docker CLI's `-H` takes for a local or TCP engine.
import {OptsError} from '../../../opts/errors.js'
import {parseDaemonHost} from '../../../opts/hosts.js'

/** Where the upstream listens, ready for node:net / node:http options. */
export type EngineAddress = {kind: 'unix'; path: string; text: string} | {kind: 'tcp'; host: string; port: number; text: string}

/** Unix socket paths longer than this do not fit sockaddr_un (Node would silently truncate). */
export const UNIX_PATH_MAX = 107

/**
 * `unix:///run/docker.sock` (bare `unix://` is the default socket) or `tcp://HOST:PORT` (a missing
 * port is 2375, or 2376 with TLS, as the docker CLI takes it). Throws naming what is wrong.
 */
export function parseEngineHost(input: string, tls = false): EngineAddress {
  const value = input.trim()
  if (value === '') throw new OptsError('engine-host is empty: give unix:///path/to/engine.sock or tcp://host:port')
  const sep = value.indexOf('://')
  const proto = sep < 0 ? '' : value.slice(0, sep)
  if (proto !== 'unix' && proto !== 'tcp') {
    const what = sep < 0 ? 'has no scheme' : `uses "${proto}://", which is not supported`
    throw new OptsError(`invalid engine-host ${JSON.stringify(input)}: the address ${what} (use unix:///path/to/engine.sock or tcp://host:port)`)
  }

  let normal: string
  try {
    normal = parseDaemonHost(value, {})
  } catch (error) {
    throw new OptsError(`invalid engine-host ${JSON.stringify(input)}: ${(error as Error).message.replace(/^invalid bind address \([^)]*\): /, '')}`)
  }

  if (proto === 'unix') {
    const path = normal.slice('unix://'.length)
    if (!path.startsWith('/')) throw new OptsError(`invalid engine-host ${JSON.stringify(input)}: the socket path must be absolute`)
    if (Buffer.byteLength(path) > UNIX_PATH_MAX) {
      throw new OptsError(`invalid engine-host ${JSON.stringify(input)}: the socket path is longer than ${UNIX_PATH_MAX} bytes`)
    }

    return {kind: 'unix', path, text: `unix://${path}`}
  }

  // parseDaemonHost fills a missing port with 2375 and a missing host with localhost.
  const hasPort = /:\d*$/.test(value.slice(sep + 3).replace(/^\[[^\]]*\]/, ''))
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:]*):(\d+)$/.exec(normal)
  if (!m) throw new OptsError(`invalid engine-host ${JSON.stringify(input)}: expected tcp://host:port`)
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1]
  const port = hasPort ? Number(m[2]) : tls ? 2376 : 2375
  if (port < 1 || port > 65_535) throw new OptsError(`invalid engine-host ${JSON.stringify(input)}: invalid port ${port}`)
  return {host, kind: 'tcp', port, text: `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`}
}

/** Option validator: dockerd's form, an error text or undefined. */
export function validateEngineHost(value: string): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined
  try {
    parseEngineHost(value)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}
