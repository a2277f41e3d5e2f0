import {unknownKindProblem} from '../options/kinds.js'
import {OPTION_KINDS} from '../options/table.js'
import type {TargetPlatform} from '../platform/target.js'

const PLATFORMS: readonly TargetPlatform[] = ['darwin', 'freebsd', 'linux', 'win32']
const HOOKS = ['start', 'reload', 'shutdown', 'info', 'observe', 'observing'] as const
const OPTION_FUNCTIONS = ['default', 'enumError', 'parseValue', 'validate'] as const
// HttpMethod (src/api/types.ts).
const METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])
// Flag names as pflag and daemon.json keys take them: lower case, digits, dashes.
const OPTION_NAME = /^[a-z\d][a-z\d-]*$/

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const show = (v: unknown): string => (typeof v === 'function' ? 'a function' : JSON.stringify(v) ?? String(v))

/**
 * What is wrong with a plugin's declaration (JavaScript plugins are not type-checked against the
 * contract), each naming the part; [] when it can be used. Checked before its options enter the
 * table, so a typo in a plugin is refused at load, naming it, not found by a user at run time.
 */
export function declarationProblems(plugin: Record<string, unknown>): string[] {
  const problems: string[] = []
  const fn = (where: string, v: unknown) => {
    if (v !== undefined && typeof v !== 'function') problems.push(`${where} must be a function, not ${show(v)}`)
  }

  for (const hook of HOOKS) fn(hook, plugin[hook])
  for (const [field, what] of [['authorization', 'authorization handler'], ['reexec', 'reexec initializer']] as const) {
    const map = plugin[field]
    if (map === undefined) continue
    if (isObject(map)) for (const [name, v] of Object.entries(map)) fn(`${what} "${name}"`, v)
    else problems.push(`${field} must be an object of functions, not ${show(map)}`)
  }

  checkList(plugin.routes, 'routes', problems, (route, i) => {
    const where = `route ${i + 1}${isObject(route) && typeof route.path === 'string' ? ` (${route.path})` : ''}`
    if (!isObject(route)) return problems.push(`${where} must be an object, not ${show(route)}`)
    if (typeof route.method !== 'string' || !METHODS.has(route.method)) problems.push(`${where}: method must be one of ${[...METHODS].join(', ')}, not ${show(route.method)}`)
    if (typeof route.path !== 'string' || !route.path.startsWith('/')) problems.push(`${where}: path must be a string starting with "/", not ${show(route.path)}`)
    if (typeof route.handler !== 'function') problems.push(`${where}: handler must be a function, not ${show(route.handler)}`)
  })

  // Kinds the plugin registers itself (FlagSet.kinds) are valid for all its options.
  const kinds = [...OPTION_KINDS]
  if (Array.isArray(plugin.flagSets)) {
    for (const set of plugin.flagSets) {
      if (!isObject(set) || set.kinds === undefined) continue
      if (!Array.isArray(set.kinds)) problems.push(`flag set ${show(set.id)}: kinds must be a list of value kinds, not ${show(set.kinds)}`)
      else for (const kind of set.kinds) if (isObject(kind) && typeof kind.name === 'string') kinds.push(kind.name)
    }
  }

  checkList(plugin.flagSets, 'flagSets', problems, (set, i) => {
    if (!isObject(set)) return problems.push(`flag set ${i + 1} must be an object, not ${show(set)}`)
    const where = `flag set ${typeof set.id === 'string' && set.id ? JSON.stringify(set.id) : i + 1}`
    if (typeof set.id !== 'string' || set.id === '') problems.push(`${where}: id must be a non-empty string, not ${show(set.id)}`)
    if (typeof set.helpGroup !== 'string' || set.helpGroup === '') problems.push(`${where}: helpGroup must be a non-empty string, not ${show(set.helpGroup)}`)
    if (set.platforms !== undefined && !(Array.isArray(set.platforms) && set.platforms.every((p) => PLATFORMS.includes(p as TargetPlatform)))) {
      problems.push(`${where}: platforms must be a list of ${PLATFORMS.join(', ')}, not ${show(set.platforms)}`)
    }

    checkList(set.options, `${where}: options`, problems, (option, j) => checkOption(option, `${where}: option ${j + 1}`, problems, kinds), true)
  })
  return problems
}

function checkOption(option: unknown, fallback: string, problems: string[], kinds: readonly string[]): void {
  if (!isObject(option)) {
    problems.push(`${fallback} must be an object, not ${show(option)}`)
    return
  }

  const where = typeof option.name === 'string' && option.name ? `option --${option.name}` : fallback
  if (typeof option.name !== 'string' || !OPTION_NAME.test(option.name)) {
    problems.push(`${where}: name must be lower-case letters, digits and dashes, not ${show(option.name)}`)
  }

  const kindProblem = unknownKindProblem(option.kind, kinds)
  if (kindProblem) problems.push(`${where}: ${kindProblem}`)

  if (typeof option.description !== 'string') problems.push(`${where}: description must be a string, not ${show(option.description)}`)
  if (option.char !== undefined && !(typeof option.char === 'string' && /^[a-zA-Z]$/.test(option.char))) {
    problems.push(`${where}: char must be one letter, not ${show(option.char)}`)
  }

  if (option.key !== undefined && option.key !== null && (typeof option.key !== 'string' || option.key === '')) {
    problems.push(`${where}: key must be a non-empty string or null, not ${show(option.key)}`)
  }

  if (option.enum !== undefined && !(Array.isArray(option.enum) && option.enum.every((e) => typeof e === 'string'))) {
    problems.push(`${where}: enum must be a list of strings, not ${show(option.enum)}`)
  }

  for (const f of OPTION_FUNCTIONS) {
    if (option[f] !== undefined && typeof option[f] !== 'function') problems.push(`${where}: ${f} must be a function, not ${show(option[f])}`)
  }
}

function checkList(value: unknown, field: string, problems: string[], each: (item: unknown, i: number) => unknown, required = false): void {
  if (value === undefined && !required) return
  if (!Array.isArray(value)) {
    problems.push(`${field} must be a list, not ${show(value)}`)
    return
  }

  for (const [i, item] of value.entries()) each(item, i)
}
