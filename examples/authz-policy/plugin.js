// dockerd-authz-policy: a dockerd authorization plugin driven by a JSON policy file.
//
// Installed with `dockerd plugins link <this directory>` (or `plugins install`), enabled with
// `dockerd --authorization-plugin=policy --authz-policy-file <policy.json>`. Plain JavaScript,
// no dependencies: the daemon loads this file through the package's `dockerd:plugin` hook.
import {readFileSync} from 'node:fs'

const NAME = 'dockerd-authz-policy'
/** The name `--authorization-plugin` enables this plugin's handler by. */
const AUTHZ_NAME = 'policy'
/** Callers without a TLS client certificate come through the local socket (a named pipe on Windows). */
const defaultUserFor = (platform) => (platform === 'win32' ? 'npipe' : 'unix-socket')
const RULE_KEYS = new Set(['method', 'path'])

/** Go's errno texts for the usual file errors, so messages read like the daemon's. */
const ERRNO_TEXT = {
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
}

/** `*` matches any run of characters (`/` included); everything else is literal. */
function globToRegExp(pattern) {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${body}$`)
}

/**
 * Parses and checks a policy document:
 * `{"users": {"<CN>": [{"method": "GET", "path": "/_ping"}, {"path": "/containers/*"}]}}`.
 * Returns `Map<user, Array<{method, path, re}>>`; throws with what is wrong and where.
 */
export function compilePolicy(text) {
  let doc
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new Error(`invalid JSON: ${error.message}`)
  }

  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the policy must be a JSON object')
  for (const key of Object.keys(doc)) if (key !== 'users') throw new Error(`unknown key "${key}" (expected "users")`)
  const {users} = doc
  if (users === null || typeof users !== 'object' || Array.isArray(users)) throw new Error('"users" must be an object of user name to rules')
  const compiled = new Map()
  for (const [user, rules] of Object.entries(users)) {
    if (!Array.isArray(rules)) throw new Error(`users["${user}"] must be an array of rules`)
    compiled.set(
      user,
      rules.map((rule, i) => {
        const where = `users["${user}"][${i}]`
        if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) throw new Error(`${where} must be an object with "path" and optional "method"`)
        for (const key of Object.keys(rule)) if (!RULE_KEYS.has(key)) throw new Error(`${where}: unknown key "${key}" (expected "method" or "path")`)
        if (typeof rule.path !== 'string' || rule.path === '') throw new Error(`${where}: "path" must be a non-empty string`)
        if (rule.method !== undefined && (typeof rule.method !== 'string' || rule.method === '')) throw new Error(`${where}: "method" must be a non-empty string`)
        const method = (rule.method ?? '*').toUpperCase()
        return {method, path: rule.path, re: globToRegExp(rule.path)}
      }),
    )
  }

  return compiled
}

/** Reads and compiles the policy file; the error names the file. */
export function loadPolicyFile(file) {
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`open ${file}: ${ERRNO_TEXT[error.code] ?? error.message}`)
  }

  try {
    return compilePolicy(text)
  } catch (error) {
    throw new Error(`invalid authorization policy file ${file}: ${error.message}`)
  }
}

/** Whether the compiled policy lets `user` send `method path`. */
export function allowed(policy, user, method, path) {
  const rules = policy.get(user)
  if (!rules) return false
  const m = method.toUpperCase()
  return rules.some((r) => (r.method === '*' || r.method === m) && r.re.test(path))
}

function isEnabled(config) {
  const list = config.values['authorization-plugin']
  return Array.isArray(list) && list.includes(AUTHZ_NAME)
}

/** The `dockerd:plugin` hook: returns the plugin (see dockerd's src/plugins/types.ts). */
export default async function dockerdAuthzPolicy({platform} = {}) {
  /** The policy in force: `{file, users}`, or undefined before start / without a file. */
  let current
  const DEFAULT_USER = defaultUserFor(platform)
  let defaultUser = DEFAULT_USER

  const configure = (config) => {
    const user = config.values['authz-default-user']
    defaultUser = typeof user === 'string' && user !== '' ? user : DEFAULT_USER
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
          {
            default: (ctx) => defaultUserFor(ctx?.platform ?? platform),
            description: 'User name the policy gives to callers without a TLS client certificate',
            kind: 'string',
            name: 'authz-default-user',
            reloadable: true,
            validate: (v) => (typeof v === 'string' && /\s/.test(v) ? `invalid authz-default-user "${v}": must not contain white space` : undefined),
          },
        ],
      },
    ],

    authorization: {
      [AUTHZ_NAME](req) {
        // A verified certificate is never the local caller, even one that names nobody.
        if (req.userAuthNMethod === 'TLS' && !req.user) return {allow: false, msg: 'client certificate names no user (no subject CN or subjectAltName): refused'}
        const user = req.userAuthNMethod === 'TLS' ? req.user : defaultUser
        if (!current) return {allow: false, msg: 'no authorization policy loaded (set --authz-policy-file)'}
        if (allowed(current.users, user, req.method, req.path)) return {allow: true}
        return {allow: false, msg: `user "${user}" is not allowed to ${req.method} ${req.path}`}
      },
    },

    start(ctx) {
      configure(ctx.config)
      const file = String(ctx.config.values['authz-policy-file'] ?? '')
      if (file === '') {
        if (isEnabled(ctx.config)) throw new Error(`authorization plugin "${AUTHZ_NAME}" needs a policy file: set --authz-policy-file`)
        return
      }

      // A broken or missing file fails the start, naming the file.
      const users = loadPolicyFile(file)
      current = {file, users}
      ctx.log.info('authorization policy loaded', {file, users: users.size})
    },

    reload(ctx) {
      configure(ctx.config)
      const file = String(ctx.config.values['authz-policy-file'] ?? '')
      if (file === '') {
        if (current) ctx.log.warn('authorization policy file unset: every request is now denied', {previous: current.file})
        current = undefined
        return
      }

      // Re-read on every reload: the content may have changed under the same name. A broken
      // file keeps the policy in force.
      try {
        const users = loadPolicyFile(file)
        current = {file, users}
        ctx.log.info('authorization policy reloaded', {file, users: users.size})
      } catch (error) {
        ctx.log.error(`failed to reload authorization policy: ${error.message}`, {file, kept: current?.file ?? ''})
      }
    },

    shutdown() {
      current = undefined
    },
  }
}
