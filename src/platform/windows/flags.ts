import type {FlagSet} from '../../options/types.js'

/** Windows options (§3.4): the host network settings that exist there and the service flags. */
export const windowsFlags = {
  helpGroup: 'WINDOWS',
  id: 'windows',
  owner: 'dockerd',
  options: [
    {description: 'IPv4 subnet for fixed IPs', kind: 'string', name: 'fixed-cidr'},
    {char: 'b', description: 'Attach containers to a virtual switch', kind: 'string', name: 'bridge'},
    {char: 'G', description: 'Users or groups that can access the named pipe', kind: 'string', name: 'group'},
    {default: () => 'docker', description: 'Set the Windows service name', key: null, kind: 'string', name: 'service-name'},
    {description: 'Register the service and exit', key: null, kind: 'bool', name: 'register-service'},
    {description: 'Unregister the service and exit', key: null, kind: 'bool', name: 'unregister-service'},
    {description: '', hidden: true, key: null, kind: 'bool', name: 'run-service'},
  ],
  platforms: ['win32'],
} as const satisfies FlagSet
