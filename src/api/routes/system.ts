// moby's system router (daemon/server/router/system): OPTIONS catch-all, /_ping, /version,
// /info, /events.
import type {IncomingMessage, ServerResponse} from 'node:http'
import {release} from 'node:os'

import {matchAcceptStrict} from '../accept.js'
import {invalidParameter, messageFromError} from '../errors.js'
import {EVENTS_SUBSCRIBER_BACKLOG, serializeEvent} from '../events.js'
import {eventMatches, parseFilters} from '../filters.js'
import {shapeInfo} from '../info-shape.js'
import {parseGoQuery} from '../query.js'
import {writeJson} from '../respond.js'
import {GoResponse, goHeaderBlock} from '../router.js'
import {nowUnixNano, parseUnixTimestamp} from '../timestamp.js'
import type {ApiContext, ComponentVersion, DaemonEvent, Route, RouteContext} from '../types.js'
import {versionLessThan} from '../versions.js'

/** Stands in for Go's runtime.Version() in `/version` (GoVersion): the runtime that really runs us. */
export const RUNTIME_VERSION = `${process.release.name}-${process.version}`

const EVENT_MEDIA_TYPES = ['application/jsonl', 'application/x-ndjson', 'application/json-seq'] as const

// time.Time{} (year 1) in Unix nanoseconds: what an absent `since` compares as.
const ZERO_TIME_NS = -62_135_596_800n * 1_000_000_000n
// setTimeout keeps 32-bit delays; longer waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1

function optionsHandler(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Length', '0')
  res.end()
}

/** moby build.BuilderVersion: BuildKit ("2") except on Windows, overridden by `features.buildkit`. */
export function builderVersion(api: ApiContext): string {
  const buildkit = api.features?.().buildkit
  if (buildkit !== undefined) return buildkit ? '2' : '1'
  return api.os === 'windows' ? '1' : '2'
}

/** The last /_ping head built: its inputs and its header lines (they change only on reload or an engine's word). */
let pingHead: {inputs: string[]; block: string | undefined} | undefined

/** Whether `inputs` is `pending` followed by `rest` (no array made per request). */
function sameInputs(inputs: readonly string[], pending: readonly string[], a: string, b: string, c: string): boolean {
  const n = pending.length
  if (inputs.length !== n + 3) return false
  for (let i = 0; i < n; i++) if (inputs[i] !== pending[i]) return false
  return inputs[n] === a && inputs[n + 1] === b && inputs[n + 2] === c
}

function pingHeaders(length: string | undefined, builder: string, swarm: string, experimental: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'Builder-Version': builder,
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    // GET gets this type from Go's content sniffing, HEAD sets it explicitly: same bytes.
    'Content-Type': 'text/plain; charset=utf-8',
    Pragma: 'no-cache',
    Swarm: swarm,
  }
  if (length !== undefined) headers['Content-Length'] = length
  if (experimental) headers['Docker-Experimental'] = experimental
  return headers
}

/**
 * The header lines of a 200 /_ping answer after `pending` (the version middleware's headers),
 * Content-Length apart: built once and rebuilt only when one of its inputs changes. Undefined when
 * a value is one node:http would refuse (writeHead then says so).
 */
export function pingBlock(api: ApiContext, pending: readonly string[]): string | undefined {
  // In front of an engine, what the engine says about builds, swarm and experimental features:
  // the client picks BuildKit and swarm commands from these.
  const engine = api.engine?.ping()
  const builder = engine?.builderVersion ?? builderVersion(api)
  const swarm = engine?.swarm ?? api.swarmStatus?.() ?? 'inactive'
  const experimental = engine?.experimental
  if (!pingHead || !sameInputs(pingHead.inputs, pending, builder, swarm, experimental ?? '')) {
    pingHead = {block: goHeaderBlock(pending as string[], pingHeaders(undefined, builder, swarm, experimental)), inputs: [...pending, builder, swarm, experimental ?? '']}
  }

  return pingHead.block
}

/** The GET/HEAD handler of /_ping (the connection front answers most pings before node:http parses them). */
export function pingHandler(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): void {
  const head = req.method === 'HEAD'
  // The hottest route: its head is written as one block (Content-Length apart, GET and HEAD share it).
  if (res instanceof GoResponse) {
    const block = pingBlock(ctx.api, res.pending)
    if (block !== undefined && res.writePrebuiltHead(block, head ? 0 : 2)) {
      res.end(head ? undefined : 'OK')
      return
    }
  }

  // One writeHead with every header: the cheapest way through node:http otherwise.
  const engine = ctx.api.engine?.ping()
  res.writeHead(200, pingHeaders(head ? '0' : '2', engine?.builderVersion ?? builderVersion(ctx.api), engine?.swarm ?? ctx.api.swarmStatus?.() ?? 'inactive', engine?.experimental))
  res.end(head ? undefined : 'OK')
}

const sortKeys = (r: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]))

/** The `/version` body in moby's field order (system.VersionResponse); empty legacy fields omitted. */
export async function buildVersionResponse(api: ApiContext): Promise<Record<string, unknown>> {
  const kernel = api.kernelVersion ?? release()
  const buildTime = api.buildTime ?? ''
  const experimental = api.experimental()
  const engine: ComponentVersion = {
    Name: 'Engine',
    Version: api.serverVersion,
    Details: sortKeys({
      ApiVersion: api.maxApiVersion,
      Arch: api.arch,
      BuildTime: buildTime,
      Experimental: String(experimental),
      GitCommit: api.gitCommit,
      GoVersion: RUNTIME_VERSION,
      KernelVersion: kernel,
      MinAPIVersion: api.minApiVersion,
      Os: api.os,
    }),
  }
  const extra = (await api.components?.()) ?? []
  const components = [engine, ...extra].map((c) => (c.Details ? {...c, Details: sortKeys(c.Details)} : c))
  const body: Record<string, unknown> = {
    Platform: {Name: api.platformName ?? ''},
    Version: api.serverVersion,
    ApiVersion: api.maxApiVersion,
  }
  if (api.minApiVersion) body.MinAPIVersion = api.minApiVersion
  body.Os = api.os
  body.Arch = api.arch
  body.Components = components
  if (api.gitCommit) body.GitCommit = api.gitCommit
  body.GoVersion = RUNTIME_VERSION
  if (kernel) body.KernelVersion = kernel
  if (experimental) body.Experimental = true
  if (buildTime) body.BuildTime = buildTime
  return body
}

async function versionHandler(_req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  writeJson(res, 200, await buildVersionResponse(ctx.api))
}

async function infoHandler(_req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  // The daemon builds the full body (the engine's fields asked for at this version); the shape per
  // API version is this layer's.
  writeJson(res, 200, shapeInfo(await ctx.api.info(ctx.version), ctx.version))
}

function parseEventTime(name: 'since' | 'until', value: string): bigint | undefined {
  try {
    return parseUnixTimestamp(value)
  } catch (err) {
    throw invalidParameter(`invalid value for '${name}': ${messageFromError(err)}`)
  }
}

function longTimeout(fn: () => void, ms: number): {cancel(): void} {
  let timer: NodeJS.Timeout
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS))
  }
  arm(Math.max(0, ms))
  return {cancel: () => clearTimeout(timer)}
}

/**
 * GET /events (moby getEvents): replay from the history when `since` or `until` is given,
 * then live events until `until`, client disconnect, or shutdown (bus closed / server closing).
 */
async function eventsHandler(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const {query, error} = parseGoQuery(ctx.rawQuery)
  if (error) throw invalidParameter(error)
  const sinceText = query.get('since') ?? ''
  const untilText = query.get('until') ?? ''
  const since = parseEventTime('since', sinceText)
  const until = parseEventTime('until', untilText)
  const now = nowUnixNano()
  let onlyPast = false
  if (until !== undefined) {
    if (until < (since ?? ZERO_TIME_NS)) {
      throw invalidParameter(`\`since\` time (${sinceText}) cannot be after \`until\` time (${untilText})`)
    }
    onlyPast = until < now
  }
  const filters = parseFilters(query.get('filters') ?? '')

  const version = ctx.version
  const contentType =
    matchAcceptStrict(req.headers.accept, EVENT_MEDIA_TYPES) ||
    (versionLessThan(version, '1.52') ? 'application/json' : 'application/jsonl')
  const recordPrefix = contentType === 'application/json-seq' ? '\x1e' : ''
  // Image create events exist since API 1.46; older clients never saw them.
  const hideImageCreate = versionLessThan(version, '1.46')

  res.statusCode = 200
  res.setHeader('Content-Type', contentType)
  // Clients wait for the status line before they read events: send it now.
  res.flushHeaders()

  const bus = ctx.api.events
  // Authorization may narrow the stream to what the caller may see (containers by label).
  const visible = ctx.response?.event
  const write = (ev: DaemonEvent, live: boolean): void => {
    if (res.writableEnded || res.destroyed) return
    if (hideImageCreate && ev.Type === 'image' && ev.Action === 'create') return
    if (visible && !visible(ev as unknown as Record<string, unknown>)) return
    res.write(recordPrefix + serializeEvent(ev, version) + '\n')
  }

  // The history is read and the live subscription made in one synchronous step, so no
  // event can fall between the two (moby holds a mutex for the same reason).
  const replay =
    since !== undefined || until !== undefined
      ? bus.since(since ?? 0n, until !== undefined && until > 0n ? until : undefined)
      : []
  for (const ev of replay) if (eventMatches(filters, ev)) write(ev, false)
  // In front of an engine, its events (containers, images, ...) go into the same stream, asked
  // for with the same query; it applies since/until/filters to its own.
  const upstream = ctx.api.engine?.events({
    accept: req.headers.accept,
    onLine(line) {
      if (res.writableEnded || res.destroyed) return
      // The upstream's lines are bounded like ours: a client this far behind is ended.
      if (res.writableLength > EVENTS_SUBSCRIBER_BACKLOG) {
        ctx.api.log.warn?.('events subscriber ended: it fell too far behind', {reason: 'engine events backlog', remote: req.socket.remoteAddress ?? ''})
        res.destroy()
        return
      }

      if (visible && !visibleLine(visible, line)) return
      res.write(line)
    },
    rawQuery: ctx.rawQuery,
    signal: ctx.signal,
    urlVersion: ctx.version,
  })
  if (onlyPast) {
    await upstream
    if (!res.writableEnded && !res.destroyed) res.end()
    return
  }

  await new Promise<void>((resolve) => {
    let done = false
    let unsubscribe = (): void => {}
    let timer: {cancel(): void} | undefined
    const finish = (): void => {
      if (done) return
      done = true
      unsubscribe()
      timer?.cancel()
      ctx.signal.removeEventListener('abort', finish)
      // At `until`, the upstream's stream ends by itself once it has sent what it had.
      void Promise.resolve(ctx.signal.aborted ? undefined : upstream).then(() => {
        if (!res.writableEnded && !res.destroyed) res.end()
        resolve()
      })
    }
    // A client that stops reading is ended once too far behind (the bus bounds each backlog
    // and their sum) instead of growing our memory; moby drops its events after 100 ms.
    const flow = {
      backlog: () => res.writableLength,
      overflow: (reason: string) => {
        ctx.api.log.warn?.('events subscriber ended: it fell too far behind', {reason, remote: req.socket.remoteAddress ?? ''})
        res.destroy()
        finish()
      },
    }
    unsubscribe = bus.subscribe((ev) => {
      if (eventMatches(filters, ev)) write(ev, true)
    }, finish, flow)
    if (done) {
      unsubscribe()
      return
    }
    if (until !== undefined) timer = longTimeout(finish, Number((until - nowUnixNano()) / 1_000_000n) + 1)
    ctx.signal.addEventListener('abort', finish, {once: true})
    if (ctx.signal.aborted) finish()
  })
}

/** Whether an upstream event line passes an authorization filter; a line that does not parse does not. */
function visibleLine(visible: (ev: Record<string, unknown>) => boolean, line: string): boolean {
  try {
    const ev: unknown = JSON.parse(line.startsWith('\x1e') ? line.slice(1) : line)
    return typeof ev === 'object' && ev !== null && visible(ev as Record<string, unknown>)
  } catch {
    return false
  }
}

/** The system routes in moby's registration order. */
export function systemRoutes(): Route[] {
  return [
    {method: 'OPTIONS', path: '/*anyroute', handler: optionsHandler},
    {method: 'GET', path: '/_ping', handler: pingHandler},
    {method: 'HEAD', path: '/_ping', handler: pingHandler},
    {method: 'GET', path: '/events', handler: eventsHandler},
    {method: 'GET', path: '/info', handler: infoHandler},
    {method: 'GET', path: '/version', handler: versionHandler},
  ]
}
