import {readFileSync} from 'node:fs'

export interface BuildInfo {
  /** RFC 3339, stamped by `npm run build` (the Engine API's BuildTime); absent when unbuilt. */
  buildTime?: string
  commit: string
  version: string
}

/** Version and commit stamped by the build (lib/build-info.json); the package version otherwise. */
export function buildInfo(): BuildInfo {
  try {
    return JSON.parse(readFileSync(new URL('build-info.json', import.meta.url), 'utf8')) as BuildInfo
  } catch {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
    return {commit: 'unknown', version: pkg.version}
  }
}

export function versionLine(info: BuildInfo = buildInfo()): string {
  return `Docker version ${info.version}, build ${info.commit}`
}
