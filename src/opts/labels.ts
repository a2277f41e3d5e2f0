import {OptsError} from './errors.js'

const RESERVED = ['com.docker.', 'io.docker.', 'org.dockerproject.']

/**
 * moby's ValidateLabel: `key=value`, and not in the reserved namespaces (case-insensitive).
 * Errors: `bad attribute format: <v>`, `label <v> is not allowed: the namespaces com.docker.*,
 * io.docker.*, and org.dockerproject.* are reserved for internal use`.
 */
export function validateLabel(value: string): string {
  if (!value.includes('=')) throw new OptsError(`bad attribute format: ${value}`)
  const lowered = value.toLowerCase()
  if (RESERVED.some((prefix) => lowered.startsWith(prefix))) {
    throw new OptsError(
      `label ${value} is not allowed: the namespaces com.docker.*, io.docker.*, and org.dockerproject.* are reserved for internal use`,
    )
  }

  return value
}

/**
 * moby's GetConflictFreeLabels: one `key=value` per key; a key with two different values fails
 * with `conflict labels for <key>=<later> and <key>=<earlier>`. Labels without `=` are dropped.
 * moby returns map order (random); we keep first-seen key order so output is deterministic.
 */
export function resolveLabelConflicts(labels: readonly string[]): string[] {
  const byKey = new Map<string, string>()
  for (const label of labels) {
    const eq = label.indexOf('=')
    if (eq < 0) continue
    const key = label.slice(0, eq)
    const val = label.slice(eq + 1)
    const seen = byKey.get(key)
    if (seen !== undefined && seen !== val) throw new OptsError(`conflict labels for ${key}=${val} and ${key}=${seen}`)
    byKey.set(key, val)
  }

  return [...byKey].map(([k, v]) => `${k}=${v}`)
}
