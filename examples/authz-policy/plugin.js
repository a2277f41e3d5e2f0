// dockerd-authz-policy: a dockerd authorization plugin driven by a JSON policy file.
//
// Installed with `dockerd plugins link <this directory>` (or `plugins install`), enabled with
// `dockerd --authorization-plugin=policy --authz-policy-file <policy.json>`. Plain JavaScript,
// no dependencies: the daemon loads this file through the package's `dockerd:plugin` hook and
// lends it its Go-compatible JSON reader and route patterns (ctx.helpers), so the policy reads a
// request body exactly as the engine will.
//
// A policy is a list of rules; the first rule that matches the request (listener, caller, method,
// path) decides; nothing matches → denied. An allowing rule may also say what containers its
// callers may create (privileged, host namespaces, capabilities, devices, bind mounts, ...) and
// which containers they may see at all (labels).
import {readFileSync} from 'node:fs'

const NAME = 'dockerd-authz-policy'
/** The name `--authorization-plugin` enables this plugin's handler by. */
const AUTHZ_NAME = 'policy'

const RULE_KEYS = new Set(['name', 'listener', 'identity', 'method', 'path', 'action', 'container', 'labels'])
const IDENTITY_KEYS = new Set(['method', 'cn', 'san', 'uid', 'gid', 'group'])
const NAMESPACES = ['pid', 'ipc', 'network', 'uts', 'userns', 'cgroupns']
/** What an allowing rule may grant for containers its callers create, update or exec into. */
const CONTAINER_KEYS = new Set(['privileged', 'hostNamespaces', 'capAdd', 'devices', 'bindSources', 'securityOpt', 'sysctls', 'volumesFrom'])
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', '*'])

/** A policy file problem, with the line it is on. */
class PolicyError extends Error {}

// ---------------------------------------------------------------------------------------------
// Loading and checking a policy.

/** /etc/group and /etc/passwd, for `group` rules: group name → {gid, members}, uid → user name. */
export function readUnixAccounts(root = '/etc') {
  const read = (f) => {
    try {
      return readFileSync(`${root}/${f}`, 'utf8')
    } catch {
      return ''
    }
  }

  const groups = new Map()
  for (const line of read('group').split('\n')) {
    const [name, , gid, members] = line.split(':')
    if (name && gid !== undefined && /^\d+$/.test(gid)) groups.set(name, {gid: Number(gid), members: (members ?? '').split(',').filter(Boolean)})
  }

  const users = new Map()
  for (const line of read('passwd').split('\n')) {
    const [name, , uid] = line.split(':')
    if (name && uid !== undefined && /^\d+$/.test(uid)) users.set(Number(uid), name)
  }

  return {groups, users}
}

/**
 * Parses and checks a policy document (see README.md). Returns `{rules}`; throws naming the line
 * of what is wrong (`line 12: rules[3]: unknown key "paht"`).
 */
export function compilePolicy(text, helpers, accounts = readUnixAccounts()) {
  let doc
  try {
    doc = helpers.parseGoJson(text)
  } catch (error) {
    const line = error.position?.line ?? helpers.lineAt(text, error.offset ?? 0)
    throw new PolicyError(`line ${line}: invalid JSON: ${error.message}`)
  }

  const {GoObject} = helpers
  const at = (obj, i) => (obj instanceof GoObject && obj.offsets?.[i] !== undefined ? helpers.lineAt(text, obj.offsets[i]) : 1)
  const fail = (line, where, msg) => {
    throw new PolicyError(`line ${line}: ${where}${where ? ': ' : ''}${msg}`)
  }

  /** An object's entries as a plain map (exact keys; a duplicate key is an error: a typo, most likely). */
  const fields = (obj, where, line, allowed) => {
    if (!(obj instanceof GoObject)) fail(line, where, 'must be a JSON object')
    const out = new Map()
    obj.entries.forEach(([k, v], i) => {
      const l = at(obj, i)
      if (allowed && !allowed.has(k)) fail(l, where, `unknown key "${k}" (expected one of ${[...allowed].join(', ')})`)
      if (out.has(k)) fail(l, where, `"${k}" given twice`)
      out.set(k, {line: l, value: v})
    })
    return out
  }

  const strings = (v, where, line, check) => {
    const list = Array.isArray(v) ? v : [v]
    if (list.length === 0) fail(line, where, 'must not be an empty list')
    for (const s of list) {
      if (typeof s !== 'string' || s === '') fail(line, where, 'must be a non-empty string or a list of them')
      if (check) {
        const problem = check(s)
        if (problem) fail(line, where, problem)
      }
    }

    return list
  }

  const numbers = (v, where, line) => {
    const list = Array.isArray(v) ? v : [v]
    for (const n of list) if (!Number.isSafeInteger(n) || n < 0) fail(line, where, 'must be a number (uid/gid) or a list of them')
    return list
  }

  const top = fields(doc, '', 1, new Set(['rules']))
  const rulesField = top.get('rules')
  if (!rulesField || !Array.isArray(rulesField.value)) fail(rulesField?.line ?? 1, '', '"rules" must be a list of rules')
  const rules = rulesField.value.map((raw, index) => {
    const where = `rules[${index}]`
    const ruleLine = raw instanceof GoObject ? at(raw, 0) : rulesField.line
    const f = fields(raw, where, ruleLine, RULE_KEYS)
    const rule = {index, line: ruleLine, name: `rules[${index}]`}
    const name = f.get('name')
    if (name) {
      if (typeof name.value !== 'string' || name.value === '') fail(name.line, where, '"name" must be a non-empty string')
      rule.name = name.value
    }

    const action = f.get('action')
    if (!action || (action.value !== 'allow' && action.value !== 'deny')) fail(action?.line ?? ruleLine, where, '"action" must be "allow" or "deny"')
    rule.allow = action.value === 'allow'
    const listener = f.get('listener')
    if (listener) rule.listeners = new Set(strings(listener.value, `${where}.listener`, listener.line))
    const method = f.get('method')
    if (method) {
      rule.methods = new Set(strings(method.value, `${where}.method`, method.line, (m) => (METHODS.has(m.toUpperCase()) ? undefined : `unknown method "${m}"`)).map((m) => m.toUpperCase()))
      if (rule.methods.has('*')) rule.methods = undefined
    }

    const path = f.get('path')
    if (path) {
      const patterns = strings(path.value, `${where}.path`, path.line, (p) => {
        if (p === '*') return undefined
        try {
          helpers.compileRoutePattern(p)
          return undefined
        } catch (error) {
          return error.message
        }
      })
      rule.paths = patterns.includes('*') ? undefined : patterns.map((p) => helpers.compileRoutePattern(p))
    }

    const identity = f.get('identity')
    if (identity) rule.identity = compileIdentity(fields(identity.value, `${where}.identity`, identity.line, IDENTITY_KEYS), `${where}.identity`)
    const container = f.get('container')
    if (container) {
      if (!rule.allow) fail(container.line, where, '"container" belongs to an "allow" rule')
      rule.container = compileContainer(fields(container.value, `${where}.container`, container.line, CONTAINER_KEYS), `${where}.container`)
    }

    const labels = f.get('labels')
    if (labels) {
      if (!rule.allow) fail(labels.line, where, '"labels" belongs to an "allow" rule')
      const entries = fields(labels.value, `${where}.labels`, labels.line)
      if (entries.size === 0) fail(labels.line, `${where}.labels`, 'must name at least one label')
      rule.labels = [...entries].map(([k, {line, value}]) => {
        if (typeof value !== 'string') fail(line, `${where}.labels`, `"${k}" must be a string`)
        return [k, value]
      })
    }

    rule.container ??= compileContainer(new Map(), where)
    return rule
  })

  function compileIdentity(f, where) {
    const id = {}
    const method = f.get('method')
    if (method) {
      if (!['tls', 'unix', 'tcp'].includes(method.value)) fail(method.line, where, '"method" must be "tls", "unix" or "tcp"')
      id.method = method.value
    }

    const cn = f.get('cn')
    if (cn) id.cn = new Set(strings(cn.value, `${where}.cn`, cn.line))
    const san = f.get('san')
    if (san) id.san = new Set(strings(san.value, `${where}.san`, san.line))
    const uid = f.get('uid')
    if (uid) id.uid = new Set(numbers(uid.value, `${where}.uid`, uid.line))
    const gid = f.get('gid')
    if (gid) id.gid = new Set(numbers(gid.value, `${where}.gid`, gid.line))
    const group = f.get('group')
    if (group) {
      id.groups = strings(group.value, `${where}.group`, group.line).map((g) => {
        const found = accounts.groups.get(g)
        if (!found) fail(group.line, `${where}.group`, `no group "${g}" in /etc/group`)
        return found
      })
    }

    if ((id.cn || id.san) && id.method && id.method !== 'tls') fail(cn?.line ?? san.line, where, '"cn" and "san" come only from a TLS client certificate (method "tls")')
    if ((id.uid || id.gid || id.groups) && id.method && id.method !== 'unix') fail((uid ?? gid ?? group).line, where, '"uid", "gid" and "group" come only from a unix socket peer (method "unix")')
    if ((id.cn || id.san) && (id.uid || id.gid || id.groups)) fail((uid ?? gid ?? group).line, where, 'a caller has a certificate or unix credentials, not both')
    return id
  }

  function compileContainer(f, where) {
    const c = {bindSources: [], capAdd: new Set(), capAll: false, devices: false, hostNamespaces: new Set(), privileged: false, securityOpt: false, sysctls: false, volumesFrom: false}
    for (const key of ['privileged', 'devices', 'securityOpt', 'sysctls', 'volumesFrom']) {
      const e = f.get(key)
      if (!e) continue
      if (typeof e.value !== 'boolean') fail(e.line, where, `"${key}" must be true or false`)
      c[key] = e.value
    }

    const ns = f.get('hostNamespaces')
    if (ns) {
      if (ns.value === true) c.hostNamespaces = new Set(NAMESPACES)
      else if (ns.value !== false) for (const n of strings(ns.value, `${where}.hostNamespaces`, ns.line, (x) => (NAMESPACES.includes(x) ? undefined : `unknown namespace "${x}" (expected ${NAMESPACES.join(', ')})`))) c.hostNamespaces.add(n)
    }

    const caps = f.get('capAdd')
    if (caps) {
      if (caps.value === true) c.capAll = true
      else if (caps.value !== false) for (const cap of strings(caps.value, `${where}.capAdd`, caps.line)) c.capAdd.add(normalizeCap(cap))
      if (c.capAdd.has('ALL')) c.capAll = true
    }

    const binds = f.get('bindSources')
    if (binds) {
      if (binds.value === true) c.bindSources = ['/']
      else if (binds.value !== false) {
        c.bindSources = strings(binds.value, `${where}.bindSources`, binds.line, (d) => (d.startsWith('/') ? undefined : `"${d}" is not an absolute path`)).map((d) => helpers.goCleanPath(d))
      }
    }

    return c
  }

  return {rules}
}

/** Reads and compiles the policy file; the error names the file (and the line). */
export function loadPolicyFile(file, helpers, accounts) {
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`open ${file}: ${helpers.errnoText(error)}`)
  }

  try {
    return compilePolicy(text, helpers, accounts)
  } catch (error) {
    const m = /^line (\d+): (.*)$/s.exec(error.message)
    throw new Error(m ? `invalid authorization policy file ${file}:${m[1]}: ${m[2]}` : `invalid authorization policy file ${file}: ${error.message}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Matching a request.

/** `cap_sys_admin` → `SYS_ADMIN` (the engine accepts both spellings, any case). */
export function normalizeCap(cap) {
  const up = String(cap).toUpperCase()
  return up.startsWith('CAP_') ? up.slice(4) : up
}

function identityMatches(id, who, accounts) {
  if (!id) return true
  if (id.method && who.method !== id.method) return false
  // A TLS rule needs a verified certificate: an empty name is nobody.
  if (id.method === 'tls' && !who.name) return false
  if (id.cn || id.san) {
    if (who.method !== 'tls' || !who.name) return false
    if (id.cn && !id.cn.has(who.name)) return false
    if (id.san && !(who.sans ?? []).some((s) => id.san.has(s))) return false
  }

  if (id.uid || id.gid || id.groups) {
    if (who.method !== 'unix' || who.uid === undefined) return false
    if (id.uid && !id.uid.has(who.uid)) return false
    if (id.gid && !id.gid.has(who.gid)) return false
    if (id.groups) {
      const user = accounts.users.get(who.uid)
      if (!id.groups.some((g) => g.gid === who.gid || (user !== undefined && g.members.includes(user)))) return false
    }
  }

  return true
}

/** The first rule that matches the request (or undefined: denied by default). */
export function firstMatch(policy, req, helpers, accounts) {
  const who = req.identity
  for (const rule of policy.rules) {
    if (rule.listeners && !rule.listeners.has(who.listener)) continue
    if (rule.methods && !rule.methods.has(req.method)) continue
    if (rule.paths && !rule.paths.some((p) => helpers.matchRoutePattern(p, req.method, req.path))) continue
    if (!identityMatches(rule.identity, who, accounts)) continue
    return rule
  }

  return undefined
}

// ---------------------------------------------------------------------------------------------
// What a body asks for (container create, update, start with a HostConfig, exec, volume create).

/** A path at or beneath one of `dirs` (all clean and absolute). */
function beneath(path, dirs, helpers) {
  const p = helpers.goCleanPath(path)
  return dirs.some((d) => d === '/' || p === d || p.startsWith(d + '/'))
}

/**
 * The problems of a HostConfig (or an update's resources) under a rule's `container` grants, each
 * naming the field. `refs` collects `container:<id>` references and VolumesFrom for visibility.
 */
export function hostConfigProblems(hc, grants, helpers, refs = []) {
  const {goField, goMapEntries, GoObject} = helpers
  const problems = []
  if (hc === undefined) return problems
  if (!(hc instanceof GoObject)) return ['HostConfig is not a JSON object']
  const str = (name) => {
    const v = goField(hc, name)
    if (v !== undefined && typeof v !== 'string') problems.push(`HostConfig.${name} is not a string`)
    return typeof v === 'string' ? v : ''
  }

  const list = (name) => {
    const v = goField(hc, name, 'nullable')
    if (v !== undefined && !Array.isArray(v)) {
      problems.push(`HostConfig.${name} is not a list`)
      return []
    }

    return v ?? []
  }

  const privileged = goField(hc, 'Privileged')
  if (privileged !== undefined && typeof privileged !== 'boolean') problems.push('HostConfig.Privileged is not true or false')
  if (privileged === true && !grants.privileged) problems.push('privileged containers are not allowed (HostConfig.Privileged)')
  for (const [field, ns] of [['PidMode', 'pid'], ['IpcMode', 'ipc'], ['NetworkMode', 'network'], ['UTSMode', 'uts'], ['UsernsMode', 'userns'], ['CgroupnsMode', 'cgroupns']]) {
    const mode = str(field)
    if (mode === 'host' && !grants.hostNamespaces.has(ns)) problems.push(`the host's ${ns} namespace is not allowed (HostConfig.${field}=host)`)
    if (mode.startsWith('container:')) refs.push({field: `HostConfig.${field}`, id: mode.slice('container:'.length)})
  }

  for (const cap of list('CapAdd')) {
    if (typeof cap !== 'string') problems.push('HostConfig.CapAdd holds something other than names')
    else if (!grants.capAll && !grants.capAdd.has(normalizeCap(cap))) problems.push(`adding capability ${normalizeCap(cap)} is not allowed (HostConfig.CapAdd)`)
  }

  for (const field of ['Devices', 'DeviceCgroupRules', 'DeviceRequests']) {
    if (list(field).length > 0 && !grants.devices) problems.push(`host devices are not allowed (HostConfig.${field})`)
  }

  for (const bind of list('Binds')) {
    if (typeof bind !== 'string') {
      problems.push('HostConfig.Binds holds something other than strings')
      continue
    }

    // `source:target[:options]`; a source that is an absolute path is a host directory.
    const source = bind.split(':')[0]
    if (source.startsWith('/') && !beneath(source, grants.bindSources, helpers)) problems.push(`bind mount of ${source} is not allowed (HostConfig.Binds)`)
  }

  for (const m of list('Mounts')) {
    if (!(m instanceof GoObject)) {
      problems.push('HostConfig.Mounts holds something other than objects')
      continue
    }

    const type = goField(m, 'Type')
    const source = goField(m, 'Source')
    if (type === 'bind') {
      if (typeof source !== 'string' || !beneath(source, grants.bindSources, helpers)) problems.push(`bind mount of ${String(source)} is not allowed (HostConfig.Mounts)`)
    } else if (type === 'volume') {
      // The local driver mounts any host path given as `device` (o=bind): a bind mount in disguise.
      const opts = goField(goField(goField(m, 'VolumeOptions', 'pointer'), 'DriverConfig', 'pointer'), 'Options', 'pointer')
      for (const [k, v] of goMapEntries(opts)) {
        if (k === 'device' && (typeof v !== 'string' || !beneath(v, grants.bindSources, helpers))) problems.push(`a volume on host path ${String(v)} is not allowed (HostConfig.Mounts VolumeOptions device)`)
      }
    } else if (type !== 'tmpfs' && type !== 'npipe' && type !== 'cluster') {
      problems.push(`mount type ${helpers.goQuote(type)} is not allowed (HostConfig.Mounts)`)
    }
  }

  for (const opt of list('SecurityOpt')) {
    // no-new-privileges only makes a container safer; every other option weakens its confinement.
    if (typeof opt !== 'string' || !/^no-new-privileges([:=]true)?$/.test(opt)) {
      if (!grants.securityOpt) problems.push(`security option ${helpers.goQuote(opt)} is not allowed (HostConfig.SecurityOpt)`)
    }
  }

  for (const field of ['MaskedPaths', 'ReadonlyPaths']) {
    // Set at all (even to []), they replace the engine's defaults that hide /proc and /sys files.
    if (goField(hc, field, 'nullable') !== undefined && !grants.securityOpt) problems.push(`changing the engine's masked and read-only paths is not allowed (HostConfig.${field})`)
  }

  if (goMapEntries(goField(hc, 'Sysctls', 'pointer')).length > 0 && !grants.sysctls) problems.push('sysctls are not allowed (HostConfig.Sysctls)')
  const from = list('VolumesFrom')
  if (from.length > 0 && !grants.volumesFrom) problems.push('volumes from other containers are not allowed (HostConfig.VolumesFrom)')
  for (const v of from) if (typeof v === 'string') refs.push({field: 'HostConfig.VolumesFrom', id: v.split(':')[0]})
  return problems
}

/** Labels of a create body (`Labels` at the top level, Go's map decoding). */
function bodyLabels(body, helpers) {
  return new Map(helpers.goMapEntries(helpers.goField(body, 'Labels', 'pointer')))
}

const hasLabels = (labels, want) => want.every(([k, v]) => labels.get(k) === v)

/** The problems of a request body for `rule` (empty: fine). */
export function bodyProblems(rule, req, body, helpers, refs = []) {
  const {goField, goMapEntries, GoObject} = helpers
  const route = `${req.method} ${req.route ?? ''}`
  switch (route) {
    case 'POST /containers/create': {
      if (body === undefined) return []
      if (!(body instanceof GoObject)) return ['the body is not a JSON object']
      const problems = hostConfigProblems(goField(body, 'HostConfig', 'pointer'), rule.container, helpers, refs)
      if (rule.labels && !hasLabels(bodyLabels(body, helpers), rule.labels)) {
        const want = rule.labels.map(([k, v]) => `${k}=${v}`)
        problems.push(`containers you create must carry the label${want.length > 1 ? 's' : ''} ${want.join(', ')} (docker run ${want.map((l) => `--label ${l}`).join(' ')})`)
      }

      return problems
    }

    case 'POST /containers/{id}/update':
    case 'POST /containers/{id}/start':
      // An update's resources (Devices ...) and an old client's start HostConfig sit at the top level.
      return body === undefined ? [] : hostConfigProblems(body, rule.container, helpers, refs)
    case 'POST /containers/{id}/exec': {
      const privileged = goField(body, 'Privileged')
      if (privileged !== undefined && typeof privileged !== 'boolean') return ['Privileged is not true or false']
      return privileged === true && !rule.container.privileged ? ['privileged exec is not allowed (Privileged)'] : []
    }

    case 'POST /volumes/create': {
      for (const [k, v] of goMapEntries(goField(body, 'DriverOpts', 'pointer'))) {
        if (k === 'device' && (typeof v !== 'string' || !beneath(v, rule.container.bindSources, helpers))) return [`a volume on host path ${String(v)} is not allowed (DriverOpts device)`]
      }

      return []
    }

    default:
      return []
  }
}

// ---------------------------------------------------------------------------------------------
// Visibility: a rule with `labels` shows its callers only the containers that carry them.

const NO_SUCH = {container: (id) => `No such container: ${id}`, exec: (id) => `No such exec instance: ${id}`}

/** The container a request is about (`{id}` of /containers/{id}/..., an exec's container, commit's ?container=). */
function containerOf(req) {
  const m = /^\/containers\/([^/]+)(\/|$)/.exec(req.path)
  if (m && req.route && req.route !== '/containers/json' && req.route !== '/containers/create' && req.route !== '/containers/prune') return {id: m[1], kind: 'container'}
  const e = /^\/exec\/([^/]+)\//.exec(req.path)
  if (e) return {id: e[1], kind: 'exec'}
  if (req.route === '/commit') {
    const q = req.uri.indexOf('?')
    const id = q < 0 ? '' : (new URLSearchParams(req.uri.slice(q + 1)).get('container') ?? '')
    return {id, kind: 'container'}
  }

  return undefined
}

/** Whether the container `id` carries the rule's labels; undefined when the engine cannot say. */
async function containerVisible(engine, id, labels) {
  if (!engine) return undefined
  const r = await engine.getJson(`/containers/${encodeURIComponent(id)}/json`)
  if (r.status === 404) return false
  if (r.status !== 200) return undefined
  const have = new Map(Object.entries(r.body?.Config?.Labels ?? {}))
  return hasLabels(have, labels)
}

/** The response hook for `GET /containers/json` and `/events` under a labels rule. */
function visibilityFilter(rule) {
  const labels = rule.labels
  return {
    event(ev) {
      if (ev.Type !== 'container') return true
      const attrs = ev.Actor?.Attributes ?? {}
      return labels.every(([k, v]) => attrs[k] === v)
    },
    json(body) {
      if (!Array.isArray(body)) return []
      return body.filter((c) => hasLabels(new Map(Object.entries(c?.Labels ?? {})), labels))
    },
  }
}

// ---------------------------------------------------------------------------------------------
// The decision.

/**
 * Decides one request under `policy`: `{allow, msg, rule, notFound?, response?}` (the daemon's
 * AuthorizationResult).
 */
export async function decide(policy, req, helpers, accounts) {
  const rule = firstMatch(policy, req, helpers, accounts)
  const who = describe(req.identity)
  if (!rule) return {allow: false, msg: `no rule allows ${who} to ${req.method} ${req.path}`, rule: 'default'}
  if (!rule.allow) return {allow: false, msg: `rule "${rule.name}" denies ${who} ${req.method} ${req.path}`, rule: rule.name}
  let body
  if (req.body !== undefined) {
    try {
      body = helpers.parseGoJson(req.body)
    } catch (error) {
      return {allow: false, msg: `rule "${rule.name}": the request body is not valid JSON (${error.message})`, rule: rule.name}
    }
  }

  const refs = []
  const problems = bodyProblems(rule, req, body, helpers, refs)
  if (problems.length > 0) return {allow: false, msg: `rule "${rule.name}": ${problems.join('; ')}`, rule: rule.name}
  if (!rule.labels) return {allow: true, rule: rule.name}

  // Limited to labelled containers: lists and events filtered, any other container hidden.
  for (const ref of refs) {
    const seen = await containerVisible(req.engine, ref.id, rule.labels)
    if (seen !== true) return {allow: false, msg: `rule "${rule.name}": ${ref.field} names a container you cannot see`, rule: rule.name}
  }

  if (req.route === '/containers/json' || req.route === '/events') return {allow: true, response: visibilityFilter(rule), rule: rule.name}
  if (req.route === '/containers/prune') return {allow: false, msg: `rule "${rule.name}": pruning would touch containers you cannot see`, rule: rule.name}
  const target = containerOf(req)
  if (!target) return {allow: true, rule: rule.name}
  let id = target.id
  if (target.kind === 'exec') {
    const r = req.engine ? await req.engine.getJson(`/exec/${encodeURIComponent(target.id)}/json`) : {status: 502}
    if (r.status === 404) return {allow: false, msg: NO_SUCH.exec(target.id), notFound: true, rule: rule.name}
    if (r.status !== 200 || typeof r.body?.ContainerID !== 'string') return {allow: false, msg: `rule "${rule.name}": cannot check exec ${target.id} with the engine`, rule: rule.name}
    id = r.body.ContainerID
  }

  const seen = await containerVisible(req.engine, id, rule.labels)
  if (seen === undefined) return {allow: false, msg: `rule "${rule.name}": cannot check container ${id} with the engine`, rule: rule.name}
  if (!seen) return {allow: false, msg: NO_SUCH[target.kind](target.id), notFound: true, rule: rule.name}
  return {allow: true, rule: rule.name}
}

/** `tls:alice`, `unix:uid=1000`, `tcp 127.0.0.1:5000`, for messages. */
export function describe(identity) {
  if (identity.method === 'tls') return identity.name ? `tls user "${identity.name}"` : 'a tls caller without a verified certificate'
  if (identity.method === 'unix') return identity.uid === undefined ? 'a unix socket caller (uid unknown)' : `unix uid ${identity.uid}`
  return `tcp caller ${identity.address ?? ''}`.trim()
}

function isEnabled(config) {
  const list = config.values['authorization-plugin']
  return Array.isArray(list) && list.includes(AUTHZ_NAME)
}

/** The `dockerd:plugin` hook: returns the plugin (see dockerd's src/plugins/types.ts). */
export default async function dockerdAuthzPolicy() {
  /** The policy in force: `{file, policy, helpers, accounts}`, or undefined before start / without a file. */
  let current

  const load = (ctx, file) => {
    const accounts = readUnixAccounts()
    return {accounts, file, helpers: ctx.helpers, policy: loadPolicyFile(file, ctx.helpers, accounts)}
  }

  return {
    name: NAME,
    flagSets: [
      {
        helpGroup: 'AUTHZ POLICY',
        id: 'authz-policy',
        options: [
          {
            description: 'Authorization policy file (JSON) for --authorization-plugin=policy',
            kind: 'string',
            name: 'authz-policy-file',
            reloadable: true,
          },
        ],
      },
    ],

    authorization: {
      [AUTHZ_NAME](req) {
        if (!current) return {allow: false, msg: 'no authorization policy loaded (set --authz-policy-file)', rule: 'default'}
        return decide(current.policy, req, current.helpers, current.accounts)
      },
    },

    start(ctx) {
      const file = String(ctx.config.values['authz-policy-file'] ?? '')
      if (file === '') {
        if (isEnabled(ctx.config)) throw new Error(`authorization plugin "${AUTHZ_NAME}" needs a policy file: set --authz-policy-file`)
        return
      }

      // A broken or missing file fails the start, naming the file and line.
      current = load(ctx, file)
      ctx.log.info('authorization policy loaded', {file, rules: current.policy.rules.length})
    },

    reload(ctx) {
      const file = String(ctx.config.values['authz-policy-file'] ?? '')
      if (file === '') {
        if (current) ctx.log.warn('authorization policy file unset: every request is now denied', {previous: current.file})
        current = undefined
        return
      }

      // Re-read on every reload: the content may have changed under the same name. A broken
      // file keeps the policy in force.
      try {
        current = load(ctx, file)
        ctx.log.info('authorization policy reloaded', {file, rules: current.policy.rules.length})
      } catch (error) {
        ctx.log.error(`failed to reload authorization policy: ${error.message}`, {file, kept: current?.file ?? ''})
      }
    },

    shutdown() {
      current = undefined
    },
  }
}
