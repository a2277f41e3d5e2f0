// API version arithmetic, ported from moby's daemon/internal/versions and the
// construction checks of daemon/server/middleware/version.go.
import {GoNumError, parseGoIntBig} from '../go/strconv.js'

/** Highest API version we advertise (moby master; docker-v29.7.2 has 1.55). */
export const MAX_API_VERSION = '1.56'
/** Lowest API version the minimum may be lowered to (`DOCKER_MIN_API_VERSION`, `min-api-version`). */
export const MIN_API_VERSION = '1.24'
/** Minimum API version in effect unless lowered. */
export const DEFAULT_MIN_API_VERSION = '1.40'

// Go's strconv.Atoi: a syntax error yields 0 and an out-of-range value is clamped to int64
// (moby ignores the error and uses the value).
const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)
function atoi(s: string): bigint {
  try {
    return parseGoIntBig(s, 10, 64, 'Atoi')
  } catch (error) {
    if (!(error instanceof GoNumError) || error.err === 'invalid syntax') return 0n
    return s.startsWith('-') ? INT64_MIN : INT64_MAX
  }
}

/**
 * -1 if a < b, 1 if a > b, 0 otherwise. Dot-separated components compared numerically;
 * missing or non-numeric components count as 0 (so `1` = `1.0.0` and `1.x` = `1.0`).
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0
  const as = a.split('.')
  const bs = b.split('.')
  const n = Math.max(as.length, bs.length)
  for (let i = 0; i < n; i++) {
    const x = i < as.length ? atoi(as[i]) : 0n
    const y = i < bs.length ? atoi(bs[i]) : 0n
    if (x > y) return 1
    if (x < y) return -1
  }
  return 0
}

export const versionLessThan = (v: string, other: string): boolean => compareVersions(v, other) < 0
export const versionGreaterThan = (v: string, other: string): boolean => compareVersions(v, other) > 0

/**
 * Validates the daemon's API version pair like moby's NewVersionMiddleware.
 * Returns the error text, or undefined when the pair is usable.
 */
export function checkVersionRange(
  defaultVersion: string,
  minVersion: string,
  bounds: {min?: string; max?: string} = {},
): string | undefined {
  const lo = bounds.min ?? MIN_API_VERSION
  const hi = bounds.max ?? MAX_API_VERSION
  if (versionLessThan(defaultVersion, lo) || versionGreaterThan(defaultVersion, hi)) {
    return `invalid default API version (${defaultVersion}): must be between ${lo} and ${hi}`
  }
  if (versionLessThan(minVersion, lo) || versionGreaterThan(minVersion, hi)) {
    return `invalid minimum API version (${minVersion}): must be between ${lo} and ${hi}`
  }
  if (versionGreaterThan(minVersion, defaultVersion)) {
    return `invalid API version: the minimum API version (${minVersion}) is higher than the default version (${defaultVersion})`
  }
  return undefined
}

/** The per-request check of the version middleware; returns the 400 message or undefined. */
export function checkRequestVersion(version: string, minVersion: string, maxVersion: string): string | undefined {
  if (versionLessThan(version, minVersion)) {
    return `client version ${version} is too old. Minimum supported API version is ${minVersion}, please upgrade your client to a newer version`
  }
  if (versionGreaterThan(version, maxVersion)) {
    return `client version ${version} is too new. Maximum supported API version is ${maxVersion}`
  }
  return undefined
}
