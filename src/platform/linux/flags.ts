import {CGROUPNS_MODE_RULE, FIREWALL_BACKEND_RULE, validateFwMark} from '../../opts/validators.js'
import {hostDefaults} from '../../options/host-defaults.js'
import type {FlagSet} from '../../options/types.js'

/** Linux-only options (§3.3): packet filtering, forwarding and cgroup settings. */
export const linuxFlags = {
  helpGroup: 'LINUX',
  id: 'linux',
  owner: 'dockerd',
  options: [
    {default: () => true, description: 'Enable addition of iptables rules', kind: 'bool', name: 'iptables'},
    {default: () => true, description: 'Enable addition of ip6tables rules', kind: 'bool', name: 'ip6tables'},
    {default: () => true, description: 'Enable IP forwarding in system configuration', kind: 'bool', name: 'ip-forward'},
    {description: 'Do not set the filter-FORWARD policy to DROP when enabling IP forwarding', kind: 'bool', name: 'ip-forward-no-drop'},
    {default: () => true, description: 'Enable IP masquerading for the default bridge network', kind: 'bool', name: 'ip-masq'},
    {description: 'Allow remote access to published ports on container IP addresses', kind: 'bool', name: 'allow-direct-routing'},
    {
      description: 'In bridge networks, accept packets with this firewall mark/mask',
      kind: 'string',
      name: 'bridge-accept-fwmark',
      validate(v: string) {
        try {
          validateFwMark(v)
          return undefined
        } catch (error) {
          return `invalid bridge-accept-fwmark: ${(error as Error).message}`
        }
      },
    },
    {
      description: 'Firewall backend to use, iptables or nftables',
      ...FIREWALL_BACKEND_RULE,
      kind: 'string',
      name: 'firewall-backend',
    },
    {
      description:
        'Limit the CPU real-time period in microseconds for the parent cgroup for all containers (not supported with cgroups v2)',
      kind: 'int',
      name: 'cpu-rt-period',
    },
    {
      description:
        'Limit the CPU real-time runtime in microseconds for the parent cgroup for all containers (not supported with cgroups v2)',
      kind: 'int',
      name: 'cpu-rt-runtime',
    },
    {default: hostDefaults.rootless, description: 'Enable rootless mode; typically used with RootlessKit', kind: 'bool', name: 'rootless'},
    {
      default: hostDefaults['default-cgroupns-mode'],
      description: 'Default mode for containers cgroup namespace ("host" | "private")',
      ...CGROUPNS_MODE_RULE,
      kind: 'string',
      name: 'default-cgroupns-mode',
      reload: 'apply',
    },
    {deprecated: 'The option is no longer used', description: 'Set the oom_score_adj for the daemon', hidden: true, ignored: true, kind: 'int', name: 'oom-score-adjust'},
  ],
  platforms: ['linux'],
} as const satisfies FlagSet
