// The engine backend as a built-in plugin: with `--engine-host` set, every Engine API route this
// daemon does not serve itself is forwarded to that upstream engine (the real dockerd or any
// Docker-compatible engine), with this daemon's listeners, TLS, authorization, metrics, reload and
// shutdown in front. Without it the plugin does nothing and engine routes answer 501.
import type {ComponentVersion, EngineBackend} from '../../../api/types.js'
import {notify} from '../../../daemon/sd-notify.js'
import type {FlagSet} from '../../../options/types.js'
import type {DockerdPlugin, PluginContext, ReloadContext} from '../../types.js'
import {parseEngineHost, validateEngineHost} from './address.js'
import {UpstreamEvents} from './events.js'
import {fastPath, forwardRequest, forwardUpgrade} from './forward.js'
import {Relay} from './relay.js'
import {type EngineTLS, loadNetModules, Upstream} from './upstream.js'

export const ENGINE_OPTIONS = ['engine-host', 'engine-tlsverify', 'engine-tlscacert', 'engine-tlscert', 'engine-tlskey'] as const

export const engineFlags: FlagSet = {
  helpGroup: 'ENGINE',
  id: 'engine',
  owner: 'dockerd',
  options: [
    {
      description: 'Upstream engine that serves the container, image, network, volume, exec and build API (unix:///path or tcp://host:port); unset: those routes answer 501',
      kind: 'string',
      name: 'engine-host',
      reloadable: true,
      validate: validateEngineHost,
    },
    {description: 'Use TLS to the upstream engine and verify its certificate (tcp:// only)', kind: 'bool', name: 'engine-tlsverify', reloadable: true},
    {description: "Trust the upstream engine's certificate only if this CA signed it", kind: 'string', name: 'engine-tlscacert', reloadable: true},
    {description: 'Client certificate presented to the upstream engine', kind: 'string', name: 'engine-tlscert', reloadable: true},
    {description: 'Key of the client certificate presented to the upstream engine', kind: 'string', name: 'engine-tlskey', reloadable: true},
  ],
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** The upstream a configuration names (undefined when engine-host is unset); rejects naming the option at fault. */
export async function upstreamFromConfig(values: Readonly<Record<string, unknown>>, ctx: Pick<PluginContext, 'log'>): Promise<Upstream | undefined> {
  const host = str(values['engine-host']).trim()
  const verify = values['engine-tlsverify'] === true
  const ca = str(values['engine-tlscacert'])
  const cert = str(values['engine-tlscert'])
  const key = str(values['engine-tlskey'])
  if (host === '') {
    const stray = ENGINE_OPTIONS.filter((n) => n !== 'engine-host' && (n === 'engine-tlsverify' ? verify : str(values[n]) !== ''))
    if (stray.length > 0) throw new Error(`--${stray.join(', --')} given without --engine-host`)
    return undefined
  }

  const address = parseEngineHost(host, verify)
  let tls: EngineTLS | undefined
  if (address.kind === 'unix') {
    const stray = ENGINE_OPTIONS.filter((n) => n !== 'engine-host' && (n === 'engine-tlsverify' ? verify : str(values[n]) !== ''))
    if (stray.length > 0) throw new Error(`--${stray.join(', --')} apply only to a tcp:// engine-host, not ${address.text}`)
  } else if (verify) {
    if (ca === '') throw new Error('--engine-tlsverify needs --engine-tlscacert: the CA that signed the engine\'s certificate')
    if ((cert === '') !== (key === '')) throw new Error(`--engine-tlscert and --engine-tlskey go together: only --${cert ? 'engine-tlscert' : 'engine-tlskey'} was given`)
    tls = {ca, cert: cert || undefined, key: key || undefined}
  } else if (ca || cert || key) {
    throw new Error('--engine-tlscacert, --engine-tlscert and --engine-tlskey need --engine-tlsverify')
  }

  return new Upstream(await loadNetModules(), address, tls, ctx.log, (status) => void notify(`STATUS=${status}`, {log: ctx.log}))
}

/** Renames the upstream's own `Engine` component so `docker version` shows both engines. */
export function upstreamComponents(version: unknown): ComponentVersion[] {
  const list = (version as {Components?: unknown})?.Components
  if (!Array.isArray(list)) return []
  return list
    .filter((c): c is ComponentVersion => typeof c?.Name === 'string' && typeof c?.Version === 'string')
    .map((c) => ({...c, Name: c.Name === 'Engine' ? 'Upstream Engine' : c.Name}))
}

/** The plugin, with its own state (one daemon per process). */
export function createEnginePlugin(): DockerdPlugin {
  let upstream: Upstream | undefined
  const upstreamEvents = new UpstreamEvents()
  const backend: EngineBackend = {
    get address() {
      return upstream?.address.text ?? ''
    },
    async components() {
      const up = upstream
      if (!up) return []
      try {
        return upstreamComponents(await up.getJson('/version'))
      } catch {
        return []
      }
    },
    events(opts) {
      const up = upstream
      return up ? upstreamEvents.events(up, opts) : Promise.resolve()
    },
    forward(req, res, target, opts) {
      forwardRequest(req, res, target, upstream!, opts)
    },
    async getJson(path) {
      const up = upstream
      if (!up) return {body: undefined, status: 502}
      try {
        return {body: await up.getJson(path), status: 200}
      } catch (error) {
        const status = (error as {status?: number}).status
        if (status === undefined) throw error
        return {body: undefined, status}
      }
    },
    async info(apiVersion) {
      const up = upstream
      if (!up) return undefined
      try {
        return (await up.getJson(`/v${apiVersion}/info`)) as Record<string, unknown>
      } catch {
        return undefined
      }
    },
    ping: () => upstream?.ping(),
    relay(client) {
      const up = upstream
      // Raw bytes only on a plain connection, to an engine that answered its last probe.
      if (!up || up.tls || !fastPath || !up.isUp()) return undefined
      return new Relay(up, client, () => upstream === up)
    },
    upgrade(req, res, socket, head, target, done) {
      forwardUpgrade(req, res, socket, head, target, upstream!, done)
    },
    warning() {
      const problem = upstream?.problem()
      return problem ? `WARNING: the engine at ${upstream!.address.text} is not reachable: ${problem}` : undefined
    },
  }

  return {
    engine: () => (upstream ? backend : undefined),
    flagSets: [engineFlags],
    name: 'engine',
    async reload(ctx: ReloadContext) {
      if (!ENGINE_OPTIONS.some((n) => ctx.changes.applied.includes(n))) return
      let next: Upstream | undefined
      try {
        next = await upstreamFromConfig(ctx.config.values, ctx)
      } catch (error) {
        ctx.log.error(`engine not changed: ${(error as Error).message}`, {module: 'engine'})
        return
      }

      // Requests in flight finish on the old upstream; new ones go to the new one.
      const old = upstream
      upstream = next
      old?.retire()
      if (next) {
        ctx.log.info(`forwarding engine requests to ${next.address.text}`, {module: 'engine'})
        await next.probe()
      } else {
        ctx.log.info('engine-host unset: engine routes answer 501', {module: 'engine'})
      }
    },
    shutdown() {
      upstream?.close()
      upstream = undefined
    },
    async start(ctx: PluginContext) {
      upstream = await upstreamFromConfig(ctx.config.values, ctx)
      if (!upstream) return
      ctx.log.info(`forwarding engine requests to ${upstream.address.text}`, {module: 'engine'})
      // Not reachable yet is no reason to fail the start: the probe logs it and keeps trying.
      await upstream.probe()
    },
  }
}

export const enginePlugin: DockerdPlugin = createEnginePlugin()
