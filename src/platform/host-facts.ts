// Host facts shared by the per-OS readers: the file reader and the facts of an OS without cgroups
// or Linux security modules.
import {readFileSync} from 'node:fs'

import type {HostFacts} from './types.js'

/** A host file's text, undefined when it cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The facts of a host with no cgroups, systemd or LSMs (everything but Linux). */
export function plainHostFacts(operatingSystem: string, osVersion = ''): HostFacts {
  return {apparmor: false, cgroupNamespaces: false, cgroupVersion: '1', operatingSystem, osVersion, selinux: false, systemd: false}
}

export const noIPv4Forwarding = (): boolean => false
