import {formatBytes, parseRAMInBytes} from '../../opts/bytes.js'
import {parsePflagIP} from '../../opts/ip.js'
import {parseAddressPool, parseRuntime, parseUlimit} from '../../opts/maps.js'
import {IPC_MODE_RULE} from '../../opts/validators.js'
import {hostDefaults} from '../../options/host-defaults.js'
import type {FlagSet} from '../../options/types.js'

/** Options of every Unix-like target (Linux and FreeBSD), §3.3. */
export const unixFlags = {
  helpGroup: 'UNIX',
  id: 'unix',
  owner: 'dockerd',
  options: [
    {default: () => ({}), defaultHelp: '[]', description: 'Register an additional OCI compatible runtime', key: 'runtimes', kind: 'runtimes', name: 'add-runtime', reload: 'apply', parseValue: parseRuntime},
    {char: 'G', default: () => 'docker', description: 'Group for the unix socket', kind: 'string', name: 'group'},
    {char: 's', description: 'Storage driver to use', kind: 'string', name: 'storage-driver'},
    {description: 'Enable selinux support', kind: 'bool', name: 'selinux-enabled'},
    {default: () => ({}), defaultHelp: '[]', description: 'Default ulimits for containers', key: 'default-ulimits', kind: 'ulimits', name: 'default-ulimit', parseValue: parseUlimit},
    {description: 'Enable IPv6 networking for the default bridge network', kind: 'bool', name: 'ipv6'},
    {description: 'IPv4 address for the default bridge', kind: 'string', name: 'bip'},
    {description: 'IPv6 address for the default bridge', kind: 'string', name: 'bip6'},
    {char: 'b', description: 'Attach containers to a network bridge', kind: 'string', name: 'bridge'},
    {description: 'IPv4 subnet for the default bridge network', kind: 'string', name: 'fixed-cidr'},
    {description: 'IPv6 subnet for the default bridge network', kind: 'string', name: 'fixed-cidr-v6'},
    {description: 'Default gateway IPv4 address for the default bridge network', kind: 'ip', name: 'default-gateway', parseValue: parsePflagIP},
    {description: 'Default gateway IPv6 address for the default bridge network', kind: 'ip', name: 'default-gateway-v6', parseValue: parsePflagIP},
    {default: () => true, description: 'Enable inter-container communication for the default bridge network', kind: 'bool', name: 'icc'},
    {default: () => '0.0.0.0', description: 'Host IP for port publishing from the default bridge network', kind: 'ip', name: 'ip', parseValue: parsePflagIP},
    {default: () => true, description: 'Use userland proxy for loopback traffic', kind: 'bool', name: 'userland-proxy'},
    {default: hostDefaults['userland-proxy-path'], description: 'Path to the userland proxy binary', kind: 'string', name: 'userland-proxy-path'},
    {description: 'Set parent cgroup for all containers', kind: 'string', name: 'cgroup-parent'},
    {description: 'User/Group setting for user namespaces', kind: 'string', name: 'userns-remap'},
    {description: 'Enable live restore of docker when containers are still running', kind: 'bool', name: 'live-restore', reload: 'apply'},
    {description: 'Run an init in the container to forward signals and reap processes', kind: 'bool', name: 'init'},
    {description: 'Path to the docker-init binary', kind: 'string', name: 'init-path'},
    {default: () => 'builtin', description: 'Path to seccomp profile. Set to "unconfined" to disable the default seccomp profile', kind: 'string', name: 'seccomp-profile'},
    {
      default: () => 64 * 1024 * 1024,
      defaultHelp: formatBytes(64 * 1024 * 1024),
      description: 'Default shm size for containers',
      kind: 'bytes',
      name: 'default-shm-size',
      parseValue: parseRAMInBytes,
      reload: 'apply',
    },
    {description: 'Set no-new-privileges by default for new containers', kind: 'bool', name: 'no-new-privileges'},
    {
      default: () => 'private',
      description: 'Default mode for containers ipc ("shareable" | "private")',
      ...IPC_MODE_RULE,
      kind: 'string',
      name: 'default-ipc-mode',
      reload: 'apply',
    },
    {description: 'Default address pools for node specific local networks', key: 'default-address-pools', kind: 'pools', name: 'default-address-pool', parseValue: parseAddressPool},
  ],
  platforms: ['linux', 'freebsd', 'darwin'],
} as const satisfies FlagSet
