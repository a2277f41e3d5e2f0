// The platform object's contract: everything that differs between the OSes dockerd serves, asked of
// one object chosen once (platformOf / currentPlatform in ./platform.ts) instead of comparing OS names.
import type {DefaultsContext} from '../options/types.js'
import type {TargetPlatform} from './target.js'

/** The listener protocols of `-H` (§6.4). */
export type ListenerKind = 'fd' | 'npipe' | 'tcp' | 'unix'

export interface DefaultPaths {
  configFile: string
  /** The default -H (`unix:///var/run/docker.sock`, `npipe:////./pipe/docker_engine`). */
  host: string
  dataRoot: string
  execRoot: string
  pidfile: string
  /** The default socket or pipe path of `host`. */
  socket: string
}

/** Host facts that do not change while the daemon runs: what /info reports about the machine. */
export interface HostFacts {
  /** os-release PRETTY_NAME (+ ` (containerized)`), `Linux` when unset. */
  operatingSystem: string
  /** os-release VERSION_ID. */
  osVersion: string
  /** "1" or "2" (`/sys/fs/cgroup/cgroup.controllers` present = unified). */
  cgroupVersion: string
  /** systemd is PID 1 (`/run/systemd/system` exists), which makes cgroup v2 default to the systemd driver. */
  systemd: boolean
  /** containerd's apparmor.HostSupports(). */
  apparmor: boolean
  /** SELinux is enabled on the host (selinuxfs mounted). */
  selinux: boolean
  /** The kernel has cgroup namespaces (`/proc/self/ns/cgroup`). */
  cgroupNamespaces: boolean
}

export interface Platform {
  /** Node's name of the OS, the name flag sets and plugins use (`win32`). */
  readonly name: TargetPlatform
  /** Go's GOOS (`windows`): /info's OSType, the docs' file names. */
  readonly goos: string
  /** The OS as the docs title it (`Linux`, `Windows`). */
  readonly title: string
  /** A Unix: runtimes, cgroups, init binary, the Unix reload attributes and Unix-only options exist. */
  readonly unix: boolean
  /** Linux only: the container security options (seccomp, AppArmor, SELinux, cgroupns) and the firewall backend. */
  readonly linuxKernel: boolean
  /** The docs include a man page (dockerd.8) for this OS. */
  readonly manPage: boolean
  /** Per-user (rootless) default paths apply to a non-root user. */
  readonly rootlessDefaults: boolean
  /** The `-H` protocols a daemon on this OS serves. */
  readonly listenerKinds: readonly ListenerKind[]
  /** dockerd's error for a `-H` protocol this OS does not serve. */
  unsupportedListener(proto: string): string
  /** sizeof(sockaddr_un.sun_path), the terminating NUL included (unix sockets only). */
  readonly unixPathMax: number
  /** The host of a `-H` given only a port: `localhost`, `127.0.0.1` on Windows. */
  readonly defaultHTTPHost: string
  /** File-system defaults (config file, roots, pidfile, socket) for the context's user. */
  defaultPaths(ctx: DefaultsContext, exists: (p: string) => boolean): DefaultPaths
  /** moby's built-in network drivers as `docker info` lists them (libnetwork registers these). */
  readonly networkDrivers: readonly string[]
  /** logger.ListDrivers() of the built-in log drivers (daemon/logdrivers_<os>.go), sorted. */
  readonly logDrivers: readonly string[]
  /** Reads the host facts of a machine running this OS (the caller caches them). */
  readHostFacts(): HostFacts
  /** sysctl net.ipv4.ip_forward (sysinfo.IPv4ForwardingDisabled); false where there is none. */
  ipv4Forwarding(): boolean
  /** The `--exec-opt` keys this OS knows (`native.cgroupdriver` on Unix, `isolation` on Windows). */
  readonly execOptKeys: readonly string[]
  /** `--firewall-backend` may be set (Windows refuses any value). */
  readonly firewallBackend: boolean
  /** `--shutdown-timeout`'s default in seconds (daemon/config: 10, Windows 30). */
  readonly defaultShutdownTimeout: number
  /** `--default-runtime`'s default (`runc`; none on Windows). */
  readonly defaultRuntime: string
  /** `/proc/self/exe` names this process's executable (moby's reexec.Self on Linux). */
  readonly procSelfExe: boolean
  /** Executables are found as Windows finds them: `Path`, `;`-separated, PATHEXT extensions, no mode bits. */
  readonly windowsExecutables: boolean
  /** The kernel tells a unix socket's peer uid/gid (SO_PEERCRED, read by src/native/peercred.c). */
  readonly peerCredentials: boolean
}
