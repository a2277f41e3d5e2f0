import {tryMessage} from '../opts/errors.js'
import {validateDNSSearch} from '../opts/dns.js'
import {validateHost} from '../opts/hosts.js'
import {validateLabel} from '../opts/labels.js'
import {
  LOG_FORMAT_RULE,
  LOG_LEVEL_RULE,
  validateExecOpt,
  validateFeatureConflicts,
  validateGenericResources,
  validateHostGatewayIPs,
  validateInsecureRegistry,
  validateMirror,
  validateNumbers,
} from '../opts/validators.js'
import {parseAddr} from '../opts/ip.js'
import {validateMinAPIVersion} from '../config/api-version.js'
import {hostDefaults} from './host-defaults.js'
import type {FlagSet} from './types.js'

/** A list option's items each checked by a validator that throws dockerd's message. */
const eachItem = (fn: (item: string) => unknown) => (v: string[]) => v.map((item) => tryMessage(() => fn(item))).filter(Boolean)

type NumberField = keyof Parameters<typeof validateNumbers>[0]

/** config.Validate's numeric check of one field (the tested validateNumbers, not a copy). */
const number = (field: NumberField) => (v: number) => tryMessage(() => validateNumbers({[field]: v})) || undefined

/** `dockerd`'s own options and the common options it shares with the docker CLI (§3.1). */
export const commonFlags = {
  helpGroup: 'COMMON',
  id: 'common',
  owner: 'dockerd',
  options: [
    {char: 'v', description: 'Print version information and quit', key: null, kind: 'bool', name: 'version'},
    {
      default: hostDefaults['config-file'],
      description: 'Daemon configuration file',
      key: null,
      kind: 'string',
      name: 'config-file',
    },
    {description: 'Validate daemon configuration and exit', key: null, kind: 'bool', name: 'validate'},
    {char: 'D', description: 'Enable debug mode', kind: 'bool', name: 'debug', reload: 'apply'},
    {
      char: 'l',
      default: () => 'info',
      // The help text names the usual five, as dockerd's; the rule takes every logrus level.
      description: 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal")',
      ...LOG_LEVEL_RULE,
      kind: 'string',
      name: 'log-level',
      reload: 'apply',
    },
    {description: 'Use TLS; implied by --tlsverify', kind: 'bool', name: 'tls'},
    {
      default: hostDefaults.tlsverify,
      description: 'Use TLS and verify the remote',
      kind: 'bool',
      name: 'tlsverify',
    },
    {
      default: hostDefaults.tlscacert,
      defaultHelp: '~/.docker/ca.pem',
      description: 'Trust certs signed only by this CA',
      kind: 'string',
      name: 'tlscacert',
    },
    {
      default: hostDefaults.tlscert,
      defaultHelp: '~/.docker/cert.pem',
      description: 'Path to TLS certificate file',
      kind: 'string',
      name: 'tlscert',
    },
    {
      default: hostDefaults.tlskey,
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
      validate: eachItem(validateHost),
    },
  ],
} as const satisfies FlagSet

/** The daemon's configuration options of every OS (§3.2), plus 20.10/1.12 options kept as deprecated. */
export const daemonFlags = {
  helpGroup: 'DAEMON',
  id: 'daemon',
  owner: 'dockerd',
  options: [
    {
      description: 'Preferred Docker registry mirror',
      key: 'registry-mirrors',
      kind: 'list',
      name: 'registry-mirror', reload: 'apply',
      parseValue: validateMirror,
      validate: eachItem(validateMirror),
    },
    {
      description: 'Enable insecure registry communication',
      key: 'insecure-registries',
      kind: 'list',
      name: 'insecure-registry', reload: 'apply',
      parseValue: validateInsecureRegistry,
      validate: eachItem(validateInsecureRegistry),
    },
    {description: 'Storage driver options', key: 'storage-opts', kind: 'list', name: 'storage-opt'},
    {description: 'Authorization plugins to load', key: 'authorization-plugins', kind: 'list', name: 'authorization-plugin', reload: 'apply'},
    {
      description: 'Runtime execution options',
      key: 'exec-opts',
      kind: 'list',
      name: 'exec-opt',
      validate: (v: string[], ctx) => v.map((o) => tryMessage(() => validateExecOpt(o, ctx.platform))).filter(Boolean),
    },
    {char: 'p', default: hostDefaults.pidfile, description: 'Path to use for daemon PID file', kind: 'string', name: 'pidfile'},
    {default: hostDefaults['data-root'], description: 'Root directory of persistent Docker state', kind: 'string', name: 'data-root'},
    {default: hostDefaults['exec-root'], description: 'Root directory for execution state files', kind: 'string', name: 'exec-root'},
    {description: 'containerd grpc address', kind: 'string', name: 'containerd'},
    {description: 'start containerd with cri', kind: 'bool', name: 'cri-containerd'},
    {default: () => ({}), description: 'Enable feature in the daemon', key: 'features', kind: 'features', name: 'feature', reload: 'reset'},
    {default: () => ({}), description: 'Default network options', key: 'default-network-opts', kind: 'mapmap', name: 'default-network-opt'},
    {
      default: () => 1500,
      description: 'Set the MTU for the default "bridge" network',
      kind: 'int',
      name: 'mtu',
      validate: number('mtu'),
    },
    {default: () => 1500, description: 'Network Control plane MTU', kind: 'int', name: 'network-control-plane-mtu'},
    {
      description: 'TCP port number of the network diagnostic server',
      hidden: true,
      kind: 'int',
      name: 'network-diagnostic-port',
      validate: number('networkDiagnosticPort'),
    },
    {description: 'Full timestamps without ANSI coloring', kind: 'bool', name: 'raw-logs'},
    {
      default: () => 'text',
      description: 'Set the logging format ("text"|"json")',
      ...LOG_FORMAT_RULE,
      kind: 'string',
      name: 'log-format',
    },
    {description: 'DNS server to use', kind: 'list', name: 'dns', parseValue: parseAddr, validate: eachItem(parseAddr)},
    {description: 'DNS options to use', key: 'dns-opts', kind: 'list', name: 'dns-opt'},
    {
      description: 'DNS search domains to use',
      kind: 'list',
      name: 'dns-search',
      parseValue: validateDNSSearch,
      validate: eachItem(validateDNSSearch),
    },
    {
      description:
        "IP addresses that the special 'host-gateway' string in --add-host resolves to. Defaults to the IP addresses of the default bridge",
      key: 'host-gateway-ips',
      kind: 'list',
      // The single-address key of earlier releases.
      migratedKeys: [
        {
          both: 'host-gateway-ip and host-gateway-ips must not both be specified in the config file',
          convert(v: unknown) {
            if (typeof v !== 'string') throw new Error(`json: cannot unmarshal ${typeof v} into Go struct field Config.host-gateway-ip of type netip.Addr`)
            return [v]
          },
          key: 'host-gateway-ip',
        },
      ],
      name: 'host-gateway-ip',
      parseValue: parseAddr,
    },
    {
      description: 'Set key=value labels to the daemon',
      key: 'labels',
      kind: 'list',
      name: 'label',
      parseValue: validateLabel,
      reload: 'apply',
      validate: eachItem(validateLabel),
    },
    {default: () => 'json-file', description: 'Default driver for container logs', kind: 'string', name: 'log-driver'},
    {default: () => ({}), description: 'Default log driver options for containers', key: 'log-opts', kind: 'map', name: 'log-opt'},
    {
      default: () => 3,
      description: 'Set the max concurrent downloads',
      kind: 'int',
      name: 'max-concurrent-downloads',
      reload: 'reset',
      validate: number('maxConcurrentDownloads'),
    },
    {
      default: () => 5,
      description: 'Set the max concurrent uploads',
      kind: 'int',
      name: 'max-concurrent-uploads',
      reload: 'reset',
      validate: number('maxConcurrentUploads'),
    },
    {
      default: () => 5,
      description: 'Set the max download attempts for each pull',
      kind: 'int',
      name: 'max-download-attempts',
      reload: 'reset',
      validate: number('maxDownloadAttempts'),
    },
    {default: () => 15, description: 'Set the default shutdown timeout', kind: 'int', name: 'shutdown-timeout', reload: 'apply'},
    {
      // Not in dockerd: a bound per -H listener, so a flood on one cannot exhaust the file descriptors of all.
      default: () => 4096,
      description: 'Maximum open connections per API listener (0 for no limit)',
      kind: 'int',
      name: 'max-connections-per-listener',
      validate: (v: number) => (v < 0 ? `invalid max-connections-per-listener: ${v}: must be 0 (no limit) or more` : undefined),
    },
    {
      default: (ctx) => (ctx.platform === 'win32' ? 30 : 10),
      description: 'Set the default container stop timeout in seconds (0 to terminate immediately)',
      keepZero: true,
      kind: 'int',
      name: 'default-stop-timeout',
      reload: 'apply',
      validate: number('defaultStopTimeout'),
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
      reload: 'apply',
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
    {
      description: 'Minimum Engine API version the daemon accepts',
      fileOnly: true,
      kind: 'string',
      name: 'min-api-version',
      validate(v: string) {
        const problem = v === '' ? '' : validateMinAPIVersion(v)
        return problem ? `invalid min-api-version: ${problem}` : undefined
      },
    },
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
  checks: [
    (v) => tryMessage(() => validateFeatureConflicts((v.feature ?? {}) as Record<string, boolean>, Boolean(v['cri-containerd']))) || undefined,
    (v) => tryMessage(() => validateHostGatewayIPs((v['host-gateway-ip'] ?? []) as string[])) || undefined,
  ],
} as const satisfies FlagSet

