// The platform object, chosen once: `platformOf(name)` for a target named at run time (flag sets,
// docs for another OS), `currentPlatform()` for the target of this process, `hostFacts()` for the
// machine it runs on. Code asks the object rather than comparing OS names.
import os from 'node:os'

import {darwin} from './darwin/index.js'
import {freebsd} from './freebsd/index.js'
import {plainHostFacts} from './host-facts.js'
import {linux} from './linux/index.js'
import {hostPlatform, type TargetPlatform, targetPlatform} from './target.js'
import type {HostFacts, Platform} from './types.js'
import {windows} from './windows/index.js'

const PLATFORMS: Readonly<Record<TargetPlatform, Platform>> = {darwin, freebsd, linux, win32: windows}

/** The platform object of a target OS; a name or an object already chosen. */
export function platformOf(target: Platform | TargetPlatform): Platform {
  return typeof target === 'string' ? PLATFORMS[target] : target
}

let current: Platform | undefined

/** The target of this process (DOCKERD_TARGET_OS, else the host), chosen on first use. */
export function currentPlatform(): Platform {
  current ??= platformOf(targetPlatform())
  return current
}

/** The platform object of the machine this process runs on, undefined for an OS we do not target. */
export function hostOS(): Platform | undefined {
  const name = hostPlatform()
  return Object.hasOwn(PLATFORMS, name) ? PLATFORMS[name as TargetPlatform] : undefined
}

let cachedFacts: HostFacts | undefined

/** The host facts of this machine, read on first use and cached (os-release, cgroup mode, LSMs). */
export function hostFacts(): HostFacts {
  cachedFacts ??= hostOS()?.readHostFacts() ?? plainHostFacts(os.type())
  return cachedFacts
}

/** IPv4 forwarding on this machine (read each call; callers cache). */
export function hostIPv4Forwarding(): boolean {
  return hostOS()?.ipv4Forwarding() ?? false
}
