// What /info reports about a Linux host: os-release, containerization, cgroup mode, LSMs, forwarding.
import {existsSync} from 'node:fs'

import {readText} from '../host-facts.js'
import type {HostFacts} from '../types.js'

/** pkg/parsers/operatingsystem getValueFromOsRelease: the last `KEY=` line, quotes/spaces trimmed. */
export function osReleaseValue(text: string, key: string): string {
  let value = ''
  for (const line of text.split('\n')) {
    if (line.startsWith(key + '=')) value = trimSet(line.slice(key.length + 1), `"' `)
  }

  return value
}

function trimSet(s: string, set: string): string {
  let a = 0
  let b = s.length
  while (a < b && set.includes(s[a])) a++
  while (b > a && set.includes(s[b - 1])) b--
  return s.slice(a, b)
}

/** operatingsystem.IsContainerized: any /proc/1/cgroup line not ending in `:/` or `:/init.scope`. */
export function isContainerized(proc1Cgroup: string): boolean {
  return proc1Cgroup.split('\n').some((line) => line.length > 0 && !line.endsWith(':/') && !line.endsWith(':/init.scope'))
}

export function linuxHostFacts(): HostFacts {
  const release = readText('/etc/os-release') ?? readText('/usr/lib/os-release')
  // No os-release at all: moby reports "" (and logs a warning); "Linux" is os-release's own default.
  let operatingSystem = (release === undefined ? '' : osReleaseValue(release, 'PRETTY_NAME')) || 'Linux'
  const proc1 = readText('/proc/1/cgroup')
  if (proc1 === undefined) operatingSystem += ' (error determining if containerized)'
  else if (isContainerized(proc1)) operatingSystem += ' (containerized)'
  const apparmorEnabled = readText('/sys/module/apparmor/parameters/enabled') ?? ''
  return {
    apparmor:
      !process.env.container &&
      existsSync('/sys/kernel/security/apparmor') &&
      apparmorEnabled.startsWith('Y') &&
      existsSync('/sbin/apparmor_parser'),
    cgroupNamespaces: existsSync('/proc/self/ns/cgroup'),
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
    operatingSystem,
    osVersion: release === undefined ? '' : osReleaseValue(release, 'VERSION_ID'),
    selinux: existsSync('/sys/fs/selinux/enforce'),
    systemd: existsSync('/run/systemd/system'),
  }
}

/** sysctl net.ipv4.ip_forward (sysinfo.IPv4ForwardingDisabled). */
export function linuxIPv4Forwarding(): boolean {
  return (readText('/proc/sys/net/ipv4/ip_forward') ?? '0').trim() === '1'
}
