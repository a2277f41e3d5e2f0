import {join} from 'node:path'

import {tryMessage} from '../opts/errors.js'
import {validateDNSSearch} from '../opts/dns.js'
import {validateHost} from '../opts/hosts.js'
import {validateLabel} from '../opts/labels.js'
import {
  validateExecOpt,
  validateGenericResources,
  validateInsecureRegistry,
  validateLogFormat,
  validateLogLevel,
  validateMirror,
} from '../opts/validators.js'
import {parseAddr} from '../opts/ip.js'
import {certDir, defaultPaths} from '../platform/paths.js'
import type {FlagSet} from './types.js'

// Every level logrus.ParseLevel takes (validateLogLevel); the help text names the usual five, as dockerd's.
const LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const

/** `dockerd`'s own options and the common options it shares with the docker CLI (§3.1). */
export const commonFlags: FlagSet = {
  helpGroup: 'COMMON',
  id: 'common',
  owner: 'dockerd',
  options: [
    {char: 'v', description: 'Print version information and quit', key: null, kind: 'bool', name: 'version'},
    {
      default: (ctx) => defaultPaths(ctx).configFile,
      description: 'Daemon configuration file',
      key: null,
      kind: 'string',
      name: 'config-file',
    },
    {description: 'Validate daemon configuration and exit', key: null, kind: 'bool', name: 'validate'},
    {char: 'D', description: 'Enable debug mode', kind: 'bool', name: 'debug', reloadable: true},
    {
      char: 'l',
      default: () => 'info',
      description: 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal")',
      enum: LOG_LEVELS,
      enumCase: 'insensitive',
      kind: 'string',
      name: 'log-level',
      reloadable: true,
      validate: (v: string) => tryMessage(() => validateLogLevel(v)) || undefined,
    },
    {description: 'Use TLS; implied by --tlsverify', kind: 'bool', name: 'tls'},
    {
      default: (ctx) => Boolean(ctx.env.DOCKER_TLS_VERIFY),
      description: 'Use TLS and verify the remote',
      kind: 'bool',
      name: 'tlsverify',
    },
    {
      default: (ctx) => join(certDir(ctx.env), 'ca.pem'),
      defaultHelp: '~/.docker/ca.pem',
      description: 'Trust certs signed only by this CA',
      kind: 'string',
      name: 'tlscacert',
    },
    {
      default: (ctx) => join(certDir(ctx.env), 'cert.pem'),
      defaultHelp: '~/.docker/cert.pem',
      description: 'Path to TLS certificate file',
      kind: 'string',
      name: 'tlscert',
    },
    {
      default: (ctx) => join(certDir(ctx.env), 'key.pem'),
      defaultHelp: '~/.docker/key.pem',
      description: 'Path to TLS key file',
      kind: 'string',
      name: 'tlskey',
    },
    {
      char: 'H',
      description: 'Daemon socket(s) to connect to',
      key: 'hosts',
      kind: 'list',
      name: 'host',
      parseValue: validateHost,
      validate: (v: string[]) => v.map((h) => tryMessage(() => validateHost(h))).filter(Boolean),
    },
  ],
}

/** The daemon's configuration options of every OS (§3.2), plus 20.10/1.12 options kept as deprecated. */
export const daemonFlags: FlagSet = {
  helpGroup: 'DAEMON',
  id: 'daemon',
  owner: 'dockerd',
  options: [
    {
      description: 'Preferred Docker registry mirror',
      key: 'registry-mirrors',
      kind: 'list',
      name: 'registry-mirror', reloadable: true,
      parseValue: validateMirror,
      validate: (v: string[]) => v.map((m) => tryMessage(() => validateMirror(m))).filter(Boolean),
    },
    {
      description: 'Enable insecure registry communication',
      key: 'insecure-registries',
      kind: 'list',
      name: 'insecure-registry', reloadable: true,
      parseValue: validateInsecureRegistry,
      validate: (v: string[]) => v.map((r) => tryMessage(() => validateInsecureRegistry(r))).filter(Boolean),
    },
    {description: 'Storage driver options', key: 'storage-opts', kind: 'list', name: 'storage-opt'},
    {description: 'Authorization plugins to load', key: 'authorization-plugins', kind: 'list', name: 'authorization-plugin', reloadable: true},
    {
      description: 'Runtime execution options',
      key: 'exec-opts',
      kind: 'list',
      name: 'exec-opt',
      validate: (v: string[], ctx) => v.map((o) => tryMessage(() => validateExecOpt(o, ctx.platform))).filter(Boolean),
    },
    {char: 'p', default: (ctx) => defaultPaths(ctx).pidfile, description: 'Path to use for daemon PID file', kind: 'string', name: 'pidfile'},
    {default: (ctx) => defaultPaths(ctx).dataRoot, description: 'Root directory of persistent Docker state', kind: 'string', name: 'data-root'},
    {default: (ctx) => defaultPaths(ctx).execRoot, description: 'Root directory for execution state files', kind: 'string', name: 'exec-root'},
    {description: 'containerd grpc address', kind: 'string', name: 'containerd'},
    {description: 'start containerd with cri', kind: 'bool', name: 'cri-containerd'},
    {default: () => ({}), description: 'Enable feature in the daemon', key: 'features', kind: 'features', name: 'feature', reloadable: true},
    {default: () => ({}), description: 'Default network options', key: 'default-network-opts', kind: 'mapmap', name: 'default-network-opt'},
    {
      default: () => 1500,
      description: 'Set the MTU for the default "bridge" network',
      kind: 'int',
      name: 'mtu',
      validate: (v: number) => (v < 0 ? `invalid default MTU: ${v}` : undefined),
    },
    {default: () => 1500, description: 'Network Control plane MTU', kind: 'int', name: 'network-control-plane-mtu'},
    {
      description: 'TCP port number of the network diagnostic server',
      hidden: true,
      kind: 'int',
      name: 'network-diagnostic-port',
      validate: (v: number) =>
        v < 0 || v > 65_535 ? `invalid network-diagnostic-port (${v}): value must be between 0 and 65535` : undefined,
    },
    {description: 'Full timestamps without ANSI coloring', kind: 'bool', name: 'raw-logs'},
    {
      default: () => 'text',
      description: 'Set the logging format ("text"|"json")',
      enum: ['text', 'json'],
      kind: 'string',
      name: 'log-format',
      validate: (v: string) => tryMessage(() => validateLogFormat(v)) || undefined,
    },
    {description: 'DNS server to use', kind: 'list', name: 'dns', parseValue: parseAddr, validate: (v: string[]) => v.map((a) => tryMessage(() => parseAddr(a))).filter(Boolean)},
    {description: 'DNS options to use', key: 'dns-opts', kind: 'list', name: 'dns-opt'},
    {
      description: 'DNS search domains to use',
      kind: 'list',
      name: 'dns-search',
      parseValue: validateDNSSearch,
      validate: (v: string[]) => v.map((d) => tryMessage(() => validateDNSSearch(d))).filter(Boolean),
    },
    {
      description:
        "IP addresses that the special 'host-gateway' string in --add-host resolves to. Defaults to the IP addresses of the default bridge",
      key: 'host-gateway-ips',
      kind: 'list',
      name: 'host-gateway-ip',
      parseValue: parseAddr,
    },
    {
      description: 'Set key=value labels to the daemon',
      key: 'labels',
      kind: 'list',
      name: 'label',
      parseValue: validateLabel,
      reloadable: true,
      validate: (v: string[]) => v.map((l) => tryMessage(() => validateLabel(l))).filter(Boolean),
    },
    {default: () => 'json-file', description: 'Default driver for container logs', kind: 'string', name: 'log-driver'},
    {default: () => ({}), description: 'Default log driver options for containers', key: 'log-opts', kind: 'map', name: 'log-opt'},
    {
      default: () => 3,
      description: 'Set the max concurrent downloads',
      kind: 'int',
      name: 'max-concurrent-downloads',
      reloadable: true,
      validate: (v: number) => (v < 0 ? `invalid max concurrent downloads: ${v}` : undefined),
    },
    {
      default: () => 5,
      description: 'Set the max concurrent uploads',
      kind: 'int',
      name: 'max-concurrent-uploads',
      reloadable: true,
      validate: (v: number) => (v < 0 ? `invalid max concurrent uploads: ${v}` : undefined),
    },
    {
      default: () => 5,
      description: 'Set the max download attempts for each pull',
      kind: 'int',
      name: 'max-download-attempts',
      reloadable: true,
      validate: (v: number) => (v < 0 ? `invalid max download attempts: ${v}` : undefined),
    },
    {default: () => 15, description: 'Set the default shutdown timeout', kind: 'int', name: 'shutdown-timeout', reloadable: true},
    {
      default: (ctx) => (ctx.platform === 'win32' ? 30 : 10),
      description: 'Set the default container stop timeout in seconds (0 to terminate immediately)',
      kind: 'int',
      name: 'default-stop-timeout',
      reloadable: true,
      validate: (v: number) => (v < 0 ? `invalid default stop timeout: ${v}` : undefined),
    },
    {description: 'Set default address or interface for swarm advertised address', kind: 'string', name: 'swarm-default-advertise-addr'},
    {description: 'Enable experimental features', kind: 'bool', name: 'experimental'},
    {
      description: 'Advertise user-defined resource',
      key: 'node-generic-resources',
      kind: 'list',
      name: 'node-generic-resource',
      validate: (v: string[]) => tryMessage(() => validateGenericResources(v)) || undefined,
    },
    {default: () => 'moby', description: 'Containerd namespace to use', kind: 'string', name: 'containerd-namespace'},
    // dockerd's JSON tag is the singular "containerd-plugin-namespace" while the flag is plural:
    // the plural key passes the unknown-key check but sets nothing; we keep that behaviour (§4.2).
    {default: () => 'plugins.moby', description: 'Containerd namespace to use for plugins', kind: 'string', name: 'containerd-plugins-namespace'},
    {
      default: (ctx) => (ctx.platform === 'win32' ? '' : 'runc'),
      description: 'Default OCI runtime for containers',
      kind: 'string',
      name: 'default-runtime',
      reloadable: true,
    },
    {description: 'HTTP proxy URL to use for outgoing traffic', kind: 'string', name: 'http-proxy', parent: 'proxies', sensitive: 'url-credentials'},
    {description: 'HTTPS proxy URL to use for outgoing traffic', kind: 'string', name: 'https-proxy', parent: 'proxies', sensitive: 'url-credentials'},
    {
      description: 'Comma-separated list of hosts or IP addresses for which the proxy is skipped',
      kind: 'string',
      name: 'no-proxy',
      parent: 'proxies',
      sensitive: 'url-credentials',
    },
    {description: 'CDI specification directories to use', key: 'cdi-spec-dirs', kind: 'list', name: 'cdi-spec-dir'},
    {default: () => ({enable: false}), defaultHelp: 'enable=false', description: 'Node Resource Interface configuration', key: 'nri-opts', kind: 'nri-opts', name: 'nri-opts'},
    {
      char: 'r',
      deprecated: 'Please use a restart policy on docker run',
      description: '--restart on the daemon has been deprecated in favor of --restart policies on docker run',
      hidden: true,
      key: null,
      kind: 'bool',
      name: 'restart',
    },
    // File-only options (no flag), as current dockerd accepts them.
    {description: 'Minimum Engine API version the daemon accepts', fileOnly: true, kind: 'string', name: 'min-api-version'},
    {description: 'BuildKit configuration', fileOnly: true, kind: 'object', name: 'builder'},
    // 1.12/20.10 options that still mean something (graph) or are still tolerated as keys.
    {
      aliasOf: 'data-root',
      char: 'g',
      deprecated: 'Use --data-root instead',
      description: 'Root of the Docker runtime',
      hidden: true,
      kind: 'string',
      name: 'graph',
    },
    {description: 'Path to the legacy trust key (ignored)', fileOnly: true, ignored: true, kind: 'string', name: 'deprecated-key-path'},
    {deprecated: 'The option is no longer used', description: 'Allow push of nondistributable artifacts to registry', hidden: true, ignored: true, kind: 'list', name: 'allow-nondistributable-artifacts'},
    {deprecated: 'The option is no longer used', description: 'Set CORS headers in the Engine API', hidden: true, ignored: true, kind: 'string', name: 'api-cors-header'},
    {deprecated: 'The option is no longer used', description: 'URL of the distributed storage backend', hidden: true, ignored: true, kind: 'string', name: 'cluster-store'},
    {deprecated: 'The option is no longer used', description: 'Address or interface name to advertise', hidden: true, ignored: true, kind: 'string', name: 'cluster-advertise'},
    {deprecated: 'The option is no longer used', description: 'Set cluster store options', hidden: true, ignored: true, key: 'cluster-store-opts', kind: 'map', name: 'cluster-store-opt'},
    {deprecated: 'The option is no longer used', description: 'Disable contacting legacy registries', hidden: true, ignored: true, kind: 'bool', name: 'disable-legacy-registry'},
  ],
}

