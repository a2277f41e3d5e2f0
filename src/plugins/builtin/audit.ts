// The audit log (`--audit-log=PATH`), a built-in plugin: one JSON line per answered API request
// saying who (listener and identity) did what (method, path, route), what authorization decided and
// by which rule, and how it ended (status, bytes, duration). Never a body, a header or a query
// string: credentials (X-Registry-Auth, auth bodies, secrets) cannot end up in it. Off by default;
// reopened on SIGHUP so that logrotate can move the file away.
import {closeSync, openSync, writeSync} from 'node:fs'

import {errnoText} from '../../daemon/dirs.js'
import type {FlagSet} from '../../options/types.js'
import type {DockerdPlugin, PluginContext, RequestObservation} from '../types.js'

export const auditFlags: FlagSet = {
  helpGroup: 'DAEMON',
  id: 'audit',
  owner: 'dockerd',
  options: [
    {
      description: 'Write one JSON line per API request (caller, request, authorization decision and rule, status) to this file; reopened on SIGHUP',
      kind: 'string',
      name: 'audit-log',
    },
  ],
}

/** One line of the audit log (the field order is the line's). */
export interface AuditRecord {
  time: string
  listener: string
  identity: {method: string; name?: string; uid?: number; gid?: number; pid?: number; address?: string}
  method: string
  path: string
  route: string
  /** `allow`, `deny`, or `none` when no authorization plugin is configured. */
  decision: 'allow' | 'deny' | 'none'
  plugin?: string
  rule?: string
  status: number
  bytes: number
  duration_ms: number
}

/** The audit line for one observation (pure: tested as a table). */
export function auditRecord(o: RequestObservation, now: Date = new Date()): AuditRecord {
  const id = o.identity
  const identity: AuditRecord['identity'] = {method: id?.method ?? 'unknown'}
  if (id?.name) identity.name = id.name
  if (id?.uid !== undefined) identity.uid = id.uid
  if (id?.gid !== undefined) identity.gid = id.gid
  if (id?.pid !== undefined) identity.pid = id.pid
  if (id?.address) identity.address = id.address
  const record: AuditRecord = {
    bytes: o.bytes ?? 0,
    decision: o.authz ? (o.authz.allow ? 'allow' : 'deny') : 'none',
    duration_ms: Math.round(o.durationMs * 1000) / 1000,
    identity,
    listener: id?.listener ?? '',
    method: o.method,
    path: o.path ?? '',
    route: o.route,
    status: o.status,
    time: now.toISOString(),
  }
  if (o.authz?.plugin) record.plugin = o.authz.plugin
  if (o.authz?.rule) record.rule = o.authz.rule
  // A fixed key order, whatever the order above: lines are read by people and by jq alike.
  const order: Array<keyof AuditRecord> = ['time', 'listener', 'identity', 'method', 'path', 'route', 'decision', 'plugin', 'rule', 'status', 'bytes', 'duration_ms']
  return Object.fromEntries(order.filter((k) => record[k] !== undefined).map((k) => [k, record[k]])) as unknown as AuditRecord
}

function openLog(path: string): number {
  try {
    return openSync(path, 'a', 0o600)
  } catch (error) {
    throw new Error(`cannot write the audit log ${path}: ${errnoText(error)}`)
  }
}

export function createAuditPlugin(): DockerdPlugin {
  let fd: number | undefined
  let path = ''
  let failed = false
  let log: PluginContext['log'] | undefined

  const close = (): void => {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
  }

  return {
    flagSets: [auditFlags],
    name: 'audit',
    observe(o: RequestObservation) {
      if (fd === undefined) return
      try {
        writeSync(fd, JSON.stringify(auditRecord(o)) + '\n')
        failed = false
      } catch (error) {
        // Said once per failure streak, not once per request.
        if (!failed) log?.error(`cannot write the audit log ${path}: ${errnoText(error)}`)
        failed = true
      }
    },
    observing: () => fd !== undefined,
    reload(ctx) {
      if (fd === undefined) return
      // Reopened under the same name: after a rotation the new lines go to a new file.
      try {
        const next = openLog(path)
        close()
        fd = next
        ctx.log.info('audit log reopened', {file: path})
      } catch (error) {
        ctx.log.error(`${(error as Error).message}; still writing to the file opened before`)
      }
    },
    shutdown: () => close(),
    start(ctx) {
      log = ctx.log
      path = String(ctx.config.values['audit-log'] ?? '')
      if (path === '') return
      fd = openLog(path)
      ctx.log.info('audit log enabled', {file: path})
    },
  }
}

export const auditPlugin: DockerdPlugin = createAuditPlugin()
