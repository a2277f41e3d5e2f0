// The OS whose flags, defaults and docs we serve. DOCKERD_TARGET_OS lets a Linux build host
// generate the Windows manifest and docs (oclif bakes defaults at manifest time).
import {platformOf} from './platform.js'

export type TargetPlatform = 'darwin' | 'freebsd' | 'linux' | 'win32'

const KNOWN: readonly TargetPlatform[] = ['darwin', 'freebsd', 'linux', 'win32']

/**
 * The OS this process runs on, as Node names it: what host facts (/proc, sockets, exec paths)
 * depend on. The one place outside tests that asks `process.platform` (a test holds it so).
 */
export function hostPlatform(): NodeJS.Platform {
  return process.platform
}

export function targetPlatform(env: NodeJS.ProcessEnv = process.env): TargetPlatform {
  const wanted = env.DOCKERD_TARGET_OS || hostPlatform()
  return (KNOWN as readonly string[]).includes(wanted) ? (wanted as TargetPlatform) : 'linux'
}

/** Go's GOOS name of a target (`windows` for win32): /info's OSType, the docs' file names. */
export function goos(platform: TargetPlatform): string {
  return platformOf(platform).goos
}
