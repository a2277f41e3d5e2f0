// portfwd: a docker-proxy-style userland TCP port forwarder, assembled from dockerd-ts's published
// entry points only (docs/build-your-own-daemon.md in dockerd-ts). Its own option table, config
// file, help (oclif, through command.js), generated docs (scripts/docs.mjs), a reexec helper
// (portfwd-probe) and a plugin (conn-log-plugin.js).
import {readFileSync} from 'node:fs'
import {createConnection, createServer} from 'node:net'

import {defineDaemon} from 'dockerd-ts/framework'
import {goField, goJoinHostPort, goMapEntries, GoObject, goParseAddr, goQuote, lineAt, parseGoInt, parseGoJson} from 'dockerd-ts/go'
import {Logger} from 'dockerd-ts/log'
import {OptionTable} from 'dockerd-ts/options'
import {pluginHelpers} from 'dockerd-ts/plugins'
import {command, register} from 'dockerd-ts/reexec'

import {connLogPlugin} from './conn-log-plugin.js'

const pkg = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8'))
const PROBE = 'portfwd-probe'

/** portfwd's own flags (docker-proxy's, in pflag's double-dash spelling) and file keys. */
const FLAGS = {
  helpGroup: 'PORTFWD',
  id: 'portfwd',
  owner: 'portfwd',
  options: [
    {default: () => 'tcp', description: 'Proxy protocol', enum: ['tcp'], kind: 'string', name: 'proto'},
    {default: () => '127.0.0.1', description: 'Host IP to listen on', kind: 'ip', name: 'host-ip'},
    {description: 'Host port to listen on (0: any free port)', kind: 'int', name: 'host-port'},
    {description: 'Container IP to forward to', kind: 'ip', name: 'container-ip'},
    {description: 'Container port to forward to', kind: 'int', name: 'container-port'},
    {description: 'Before listening, check from a re-executed child that the container address accepts connections', kind: 'bool', name: 'check-backend'},
    {char: 'c', default: () => '/etc/portfwd.json', description: 'Configuration file', key: null, kind: 'string', name: 'config-file'},
    {char: 'v', description: 'Print version information and quit', key: null, kind: 'bool', name: 'version'},
  ],
}

const plugin = connLogPlugin()

// The reexec helper: `portfwd-probe IP PORT` connects once and exits 0, or 1 saying why.
register(PROBE, async () => async ([ip, port]) => {
  const ok = await new Promise((resolve) => {
    const socket = createConnection({host: ip, port: Number(port), timeout: 5000})
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false))
  })
  if (!ok) process.stderr.write(`container address ${goJoinHostPort(ip, port)} does not accept connections\n`)
  return ok ? 0 : 1
})

class ConfigError extends Error {}

/** The file's values by option name; unknown keys and values of the wrong JSON type are refused. */
function readConfigFile(file, explicit, table) {
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if (!explicit && error.code === 'ENOENT') return {}
    throw new ConfigError(`unable to read the configuration file ${file}: ${pluginHelpers.errnoText(error)}`)
  }

  let doc
  try {
    doc = parseGoJson(text)
  } catch (error) {
    const line = error.offset === undefined ? '' : `:${lineAt(text, error.offset)}`
    throw new ConfigError(`${file}${line}: invalid JSON: ${error.message}`)
  }

  if (!(doc instanceof GoObject)) throw new ConfigError(`${file}: the configuration must be a JSON object`)
  const values = {}
  for (const [key, value] of goMapEntries(doc)) {
    const entry = table.byKey.get(key)
    if (!entry) throw new ConfigError(`${file}: unknown directive ${goQuote(key)}`)
    const ok = entry.kind === 'bool' ? typeof value === 'boolean' : entry.kind === 'int' ? typeof value === 'number' : typeof value === 'string'
    if (!ok) throw new ConfigError(`${file}: ${goQuote(key)} must be a JSON ${entry.kind === 'bool' ? 'boolean' : entry.kind === 'int' ? 'number' : 'string'}`)
    values[entry.name] = entry.kind === 'int' ? String(value) : goField(doc, key)
  }

  return values
}

function port(name, raw) {
  let n
  try {
    n = parseGoInt(String(raw))
  } catch (error) {
    throw new ConfigError(`invalid value ${goQuote(String(raw))} for --${name}: ${error.message}`)
  }

  if (n < 0 || n > 65535) throw new ConfigError(`invalid value ${goQuote(String(raw))} for --${name}: not a port (0-65535)`)
  return n
}

function ip(name, raw) {
  try {
    goParseAddr(String(raw))
    return String(raw)
  } catch (error) {
    throw new ConfigError(`invalid value ${goQuote(String(raw))} for --${name}: ${error.message}`)
  }
}

/** Flags, then the file (a key given both ways is an error, as in dockerd), then the table's defaults. */
function settings(flags, table) {
  const explicit = flags['config-file'] !== undefined
  const file = explicit ? String(flags['config-file']) : table.get('config-file').default()
  const fromFile = readConfigFile(file, explicit, table)
  const both = Object.keys(fromFile).filter((k) => flags[k] !== undefined)
  if (both.length > 0) {
    throw new ConfigError(`the following directives are specified both as a flag and in the configuration file: ${both.map((k) => `${k}: (from flag: ${flags[k]}, from file: ${fromFile[k]})`).join(', ')}`)
  }

  const values = {}
  for (const entry of table.entries) values[entry.name] = flags[entry.name] ?? fromFile[entry.name] ?? entry.default?.({env: process.env, platform: 'linux', rootless: false})
  for (const required of ['host-port', 'container-ip', 'container-port']) {
    if (values[required] === undefined) throw new ConfigError(`--${required} is required (as a flag or in ${file})`)
  }

  return {...values, 'container-ip': ip('container-ip', values['container-ip']), 'container-port': port('container-port', values['container-port']), 'host-ip': ip('host-ip', values['host-ip']), 'host-port': port('host-port', values['host-port'])}
}

async function probe(values) {
  const child = command(PROBE, [values['container-ip'], String(values['container-port'])], {script: new URL('bin/run.js', import.meta.url).pathname, stdio: ['ignore', 'inherit', 'inherit']})
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)))
}

async function start(flags, {platform, table}) {
  let values
  try {
    values = settings(flags, table)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`portfwd: ${error.message}\n`)
    return 1
  }

  if (values['check-backend'] && (await probe(values)) !== 0) return 1
  const log = new Logger({format: 'text', level: 'info'})
  await plugin.start({config: {values}, helpers: pluginHelpers, log, platform})
  const target = {host: values['container-ip'], port: values['container-port']}
  // Half-open both ways: a client's FIN is passed on and the answer still flows back (docker-proxy's CloseWrite).
  const server = createServer({allowHalfOpen: true}, (socket) => {
    const upstream = createConnection({...target, allowHalfOpen: true})
    plugin.connection({from: goJoinHostPort(socket.remoteAddress ?? '', socket.remotePort ?? 0), to: goJoinHostPort(target.host, target.port)})
    socket.pipe(upstream).pipe(socket)
    const close = () => {
      socket.destroy()
      upstream.destroy()
    }
    socket.once('error', close).once('close', close)
    upstream.once('error', close).once('close', close)
  })
  const listening = await new Promise((resolve) => {
    server.once('error', (error) => resolve(error))
    server.listen(values['host-port'], values['host-ip'], () => resolve(undefined))
  })
  if (listening) {
    process.stderr.write(`portfwd: listen tcp ${goJoinHostPort(values['host-ip'], values['host-port'])}: ${pluginHelpers.errnoText(listening)}\n`)
    return 1
  }

  const address = server.address()
  log.info('forwarding', {from: goJoinHostPort(address.address, address.port), to: goJoinHostPort(target.host, target.port)})
  await new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, resolve)
  })
  server.close()
  return 0
}

export const portfwd = defineDaemon({
  description: 'Forwards TCP connections from a host address to a container address, as docker-proxy does.',
  name: 'portfwd',
  start,
  summary: 'A userland TCP port forwarder.',
  table: (_platform, extra = []) => new OptionTable([FLAGS, ...plugin.flagSets, ...extra]),
  versionLine: () => `portfwd version ${pkg.version}`,
})
