import {compareVersions, MAX_API_VERSION, MIN_API_VERSION} from '../api/versions.js'

export {MAX_API_VERSION} from '../api/versions.js'

/** TestValidateMinAPIVersion: the reason a minimum API version is refused, or undefined. */
export function validateMinAPIVersion(v: string): string | undefined {
  if (v === '') return 'value is empty'
  if (v.startsWith('v')) return 'API version must be provided without "v" prefix'
  if (!/^\d+(\.\d+)*$/.test(v)) return `invalid API version: ${v}`
  if (compareVersions(v, MIN_API_VERSION) < 0) return `minimum supported API version is ${MIN_API_VERSION}: ${v}`
  if (compareVersions(v, MAX_API_VERSION) > 0) return `maximum supported API version is ${MAX_API_VERSION}: ${v}`
  return undefined
}
