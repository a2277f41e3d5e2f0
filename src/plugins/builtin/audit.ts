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
  // Built in the line's key order (time first): lines are read by people and by jq alike.
  const record: AuditRecord = {
    time: now.toISOString(),
    listener: id?.listener ?? '',
    identity,
    method: o.method,
    path: o.path ?? '',
    route: o.route,
    decision: o.authz ? (o.authz.allow ? 'allow' : 'deny') : 'none',
    plugin: o.authz?.plugin || undefined,
    rule: o.authz?.rule || undefined,
    status: o.status,
    bytes: o.bytes ?? 0,
    duration_ms: Math.round(o.durationMs * 1000) / 1000,
  }
  if (record.plugin === undefined) delete record.plugin
  if (record.rule === undefined) delete record.rule
  return record
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

  // Lines of one turn of the event loop go out in one write: under load that is one system call
  // for many requests instead of one each.
  let pending: string[] = []
  const flush = (): void => {
    const lines = pending
    pending = []
    if (fd === undefined || lines.length === 0) return
    try {
      writeSync(fd, lines.join(''))
      failed = false
    } catch (error) {
      // Said once per failure streak, not once per request.
      if (!failed) log?.error(`cannot write the audit log ${path}: ${errnoText(error)}`)
      failed = true
    }
  }

  return {
    flagSets: [auditFlags],
    name: 'audit',
    observe(o: RequestObservation) {
      if (fd === undefined) return
      if (pending.length === 0) setImmediate(flush)
      pending.push(JSON.stringify(auditRecord(o)) + '\n')
    },
    observing: () => fd !== undefined,
    reload(ctx) {
      if (fd === undefined) return
      flush()
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
    shutdown() {
      flush()
      close()
    },
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
