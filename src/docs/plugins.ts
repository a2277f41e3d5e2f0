import {GENERATED_NOTE} from './markdown.js'

/**
 * The exported declarations `names` of a TypeScript source, with the doc comment above each, in the
 * order asked. Interfaces end at the first `}` in column 0; type aliases at the first blank line.
 * Throws naming what it cannot find, so a renamed type fails `npm run docs` instead of vanishing.
 */
export function extractDeclarations(source: string, names: readonly string[], file = 'source'): string {
  const lines = source.split('\n')
  const blocks: string[] = []
  for (const name of names) {
    const start = lines.findIndex((l) => new RegExp(`^export (interface|type) ${name}\\b`).test(l))
    if (start < 0) throw new Error(`${file}: no exported interface or type ${name}`)
    let first = start
    if (lines[start - 1]?.trim().endsWith('*/')) {
      while (first > 0 && !lines[first].trimStart().startsWith('/**')) first--
    }

    let end = start
    if (lines[start].startsWith('export interface')) {
      while (end < lines.length && lines[end] !== '}') end++
    } else {
      while (end + 1 < lines.length && lines[end + 1].trim() !== '') end++
    }

    blocks.push(lines.slice(first, end + 1).join('\n'))
  }

  return blocks.join('\n\n')
}

export interface PluginSources {
  /** src/api/types.ts */
  api: string
  /** src/options/types.ts */
  options: string
  /** src/plugins/types.ts */
  plugins: string
  /** src/reexec/types.ts */
  reexec: string
  /** src/log/types.ts */
  log: string
}

const EXAMPLE_PACKAGE = `{
  "name": "dockerd-hello",
  "version": "1.0.0",
  "type": "module",
  "files": ["plugin.js"],
  "keywords": ["dockerd-plugin", "oclif-plugin"],
  "oclif": {
    "hooks": {
      "dockerd:plugin": "./plugin.js"
    }
  }
}`

const EXAMPLE_PLUGIN = `// The dockerd:plugin hook: called once per start with the target OS; returns the plugin.
export default async function dockerdHello({platform}) {
  let greeting = 'hello'
  return {
    name: 'dockerd-hello',
    flagSets: [
      {
        id: 'hello',
        helpGroup: 'HELLO',
        options: [
          {
            name: 'hello-greeting',
            kind: 'string',
            description: 'Greeting served by GET /hello',
            default: () => 'hello',
            reloadable: true,
          },
        ],
      },
    ],
    routes: [
      {
        method: 'GET',
        path: '/hello',
        handler(req, res) {
          res.writeHead(200, {'Content-Type': 'application/json'})
          res.end(JSON.stringify({greeting, platform}) + '\\n')
        },
      },
    ],
    start(ctx) {
      greeting = String(ctx.config.values['hello-greeting'])
      ctx.log.info('hello plugin started', {greeting})
    },
    reload(ctx) {
      greeting = String(ctx.config.values['hello-greeting'])
    },
    info: () => ({HelloGreeting: greeting}),
  }
}`

/** The worked example's policy (examples/authz-policy/policy.example.json; a unit test keeps them equal). */
export const POLICY_EXAMPLE = `{
  "rules": [
    {"name": "ping", "method": ["GET", "HEAD"], "path": ["/_ping", "/version"], "action": "allow"},

    {"name": "monitoring socket", "listener": "unix:///run/docker-ro.sock", "method": ["GET", "HEAD"],
     "path": ["/containers/json", "/containers/{id}/json", "/containers/{id}/logs", "/containers/{id}/stats", "/events", "/info", "/images/json"],
     "action": "allow"},
    {"name": "monitoring socket: nothing else", "listener": "unix:///run/docker-ro.sock", "action": "deny"},

    {"name": "root on the main socket", "listener": "unix:///run/docker.sock", "identity": {"uid": 0}, "action": "allow",
     "container": {"privileged": true, "hostNamespaces": true, "capAdd": true, "devices": true, "bindSources": true,
                   "securityOpt": true, "sysctls": true, "volumesFrom": true}},

    {"name": "alice: no exports", "identity": {"cn": "alice"}, "path": ["/containers/{id}/export"], "action": "deny"},
    {"name": "alice", "identity": {"cn": "alice"}, "labels": {"owner": "alice"}, "action": "allow",
     "container": {"bindSources": ["/srv/alice"], "capAdd": ["NET_ADMIN"]}}
  ]
}`

/** docs/plugins.md: how to write a plugin, with the contract quoted from the sources. */
export function pluginsPage(src: PluginSources): string {
  const contract = extractDeclarations(
    src.plugins,
    ['DockerdPlugin', 'PluginFactory', 'PluginContext', 'ReloadContext', 'PluginLog', 'AuthorizationHandler', 'AuthorizationRequest', 'AuthorizationResult', 'RequestObservation'],
    'src/plugins/types.ts',
  )
  const options = extractDeclarations(src.options, ['FlagSet', 'OptionSpec', 'OptionKind', 'ValueKind', 'ReloadMode', 'OptionCheck', 'DefaultsContext'], 'src/options/types.ts')
  const routes = extractDeclarations(src.api, ['Route', 'RouteHandler', 'RouteContext'], 'src/api/types.ts')
  const middleware = extractDeclarations(src.api, ['MiddlewarePosition', 'Middleware', 'PluginMiddleware', 'ApiCall'], 'src/api/types.ts')
  const identity = extractDeclarations(src.api, ['CallerIdentity', 'ResponseFilter', 'ApiObservation', 'AuthzRecord'], 'src/api/types.ts')
  const reexec = extractDeclarations(src.reexec, ['Initializer'], 'src/reexec/types.ts')
  const log = extractDeclarations(src.log, ['LogSink'], 'src/log/types.ts')
  return `<!-- ${GENERATED_NOTE} The declarations are quoted from src/plugins/types.ts, src/options/types.ts, src/api/types.ts, src/reexec/types.ts and src/log/types.ts. -->
# Writing dockerd plugins

A plugin is an npm package that adds to the daemon what the built-ins add: options (flags with their
daemon.json keys, validation and help group), Engine API routes, middleware on the request path,
lifecycle hooks (start, reload, shutdown), authorization handlers, \`/info\` entries, request
observers and re-exec entry points.
The daemon's own platform flag sets and its built-in plugins (the metrics API) use the same contract.

A plugin that throws while loading, or whose flag, shorthand or daemon.json key collides with the
daemon's or another plugin's, is refused and reported by name; the daemon keeps its own flags and
routes either way. Plugins are accepted in name order, so the outcome does not depend on load order.

## The package

The daemon finds plugins through oclif: each installed oclif plugin whose \`package.json\` declares a
\`dockerd:plugin\` hook is asked for its plugin at every start, before the command line is parsed, so
its flags are known to the parser, to \`--help\` and to the daemon.json checks.

\`\`\`json
${EXAMPLE_PACKAGE}
\`\`\`

The hook file's default export is a \`PluginFactory\`: it receives \`{platform}\` (the target OS:
\`linux\`, \`win32\`, \`freebsd\`) and returns the plugin, or a promise of it. Write it as plain
JavaScript, ES module (\`export default\`, with \`"type": "module"\` or a \`.mjs\` file) or CommonJS
(\`module.exports = async function …\`), or compile TypeScript to either before publishing: the
daemon does not transpile at run time.
A plugin needs no dependency on @oclif/core or on the daemon; to type-check against the contract,
copy the declarations below or import them from a checkout of dockerd-ts as types only.

## Example

\`plugin.js\`, next to the \`package.json\` above:

\`\`\`js
${EXAMPLE_PLUGIN}
\`\`\`

With it installed, \`dockerd --help\` shows a \`HELLO FLAGS\` group, \`--hello-greeting\` and the
daemon.json key \`hello-greeting\` are accepted (and reloaded on SIGHUP), \`GET /v1.47/hello\`
answers, and \`GET /info\` carries \`HelloGreeting\`. The docker CLI does not show it: it decodes
\`/info\` into its own type and drops the fields it does not know, in \`docker info\` and in
\`docker info --format '{{json .}}'\` alike. Read it from the API:
\`curl -s --unix-socket /run/docker.sock http://localhost/info\`, dockerode's \`docker.info()\`,
docker-py's \`client.info()\`.

## Installing

Plugins are installed per user of the daemon, into its oclif data directory
(\`$DOCKERD_DATA_DIR\`, else \`$XDG_DATA_HOME/dockerd\`, else on Windows \`%LOCALAPPDATA%\\dockerd\`, else
\`~/.local/share/dockerd\`; for a root daemon that is \`/root/.local/share/dockerd\`):

\`\`\`sh
dockerd plugins link ./dockerd-hello                  # a local checkout, used in place (development)
dockerd plugins link --no-install ./dockerd-hello     # the same, without running npm install in it
dockerd plugins install ./dockerd-hello-1.0.0.tgz     # a packed plugin (npm pack), offline
dockerd plugins install ./dockerd-hello               # a copy of a directory (with its node_modules), offline
dockerd plugins install dockerd-hello                 # from the npm registry
dockerd plugins                                       # list installed plugins (also: plugins ls)
dockerd plugins uninstall dockerd-hello
\`\`\`

\`plugins link\` runs \`npm install\` in the directory when it has a \`package-lock.json\` (and
warns when it has no lock file); \`--no-install\` links it as it is, which is what you want for a
plugin without dependencies or on a host without a registry. A local archive or directory is
installed without npm and without a network; a directory path must be written as one (\`./x\`,
\`/abs/x\`, or \`sub/x\` when it exists), since a bare word is an npm package name. An install
that fails (a typo, no network, not a plugin) leaves the installed and linked plugins as they were.

Restart the daemon afterwards: plugins are loaded at start-up, not on SIGHUP. A start with
installed plugins goes through oclif (the plugin loader); without any, the daemon takes its faster
start path that never loads @oclif/core.

**Install scripts do not run.** \`dockerd plugins install\` and \`link\` run npm with
\`ignore-scripts\` on, so a package's \`preinstall\`/\`install\`/\`postinstall\` scripts (which would
run as the daemon's user, usually root) are skipped. To allow them for one install, set npm's own
setting: \`npm_config_ignore_scripts=false dockerd plugins install NAME\`. Archives installed offline
never run scripts.

**A root daemon loads only root's code.** Running as root, the daemon refuses (by name, at start,
and goes on without it) an installed or linked plugin whose directory, or any parent of it, is not
owned by root or is writable by its group or others (a parent with the sticky bit, like \`/tmp\`,
may be world-writable). Fix the ownership (\`chown -R root:root\`, \`chmod go-w\`) and restart.

Plugins need the npm distribution (\`npm install -g\`, or the tarball from \`npm run dist\`, which
carries its own node). The single executable (\`dist/sea/dockerd-linux-x64\`) has no module loader
for files on disk and runs the built-in plugins only; \`dockerd plugins …\` there is refused with a
message saying so.

## When a plugin does not load

A plugin that throws while loading, whose declaration is not the contract's (an option \`kind\`
that does not exist, a route without a handler) or whose options collide is not used; the daemon
starts without it and logs why at level error, naming it:

\`\`\`text
level=error msg="plugin dockerd-hello refused: option --hello-greeting: unknown kind \\"strng\\" (valid kinds: bool, …)" plugin=dockerd-hello
\`\`\`

\`dockerd --validate\` fails (exit 1) with the same lines, so check a configuration with it after
installing a plugin. To see what was loaded and why, trace the plugin loader and the start-up:

\`\`\`sh
DEBUG='dockerd:*' dockerd --validate        # "installed plugins accepted: [...]; refused or failed: [...]"
DEBUG='dockerd:*,oclif:*' dockerd --validate    # also oclif's plugin discovery and hook calls (oclif:config, oclif:<plugin>:hooks:…)
dockerd plugins                              # what is installed or linked, with versions and paths
\`\`\`

A plugin missing from \`dockerd plugins\` was not installed into this user's data directory (a root
daemon reads \`/root/.local/share/dockerd\` unless \`DOCKERD_DATA_DIR\` is set). One listed but never
asked for its plugin has no \`dockerd:plugin\` hook in its \`package.json\` \`oclif.hooks\`, or the
hook file's path is wrong. Without any installed plugin the daemon takes its fast start path,
which never loads oclif or plugins.

## The contract

### The plugin

\`\`\`ts
${contract}

${log}
\`\`\`

### Options

A flag set is one help group of options; \`platforms\` limits it to some target OSes. Each option is
one declarative entry, from which the daemon derives the flag, the daemon.json key, the merge and
conflict rules, the validation, the reload diff and the help.

\`\`\`ts
${options}
\`\`\`

Values reach the hooks as \`ctx.config.values[<option name>]\`, after the flags and the file are
merged and validated.

### Routes

Routes are added to the daemon's versioned router: \`/hello\` also answers as \`/v1.47/hello\`, and
the API version checks, authorization and request logging apply to them as to the daemon's own.

\`\`\`ts
${routes}
\`\`\`

### Middleware: the request path

Every API request passes one ordered list of named middleware, assembled once when the daemon
starts:

| position | what it does |
| --- | --- |
| \`version\` | the effective API version (\`call.version\`); on the daemon's own routes, the \`Server\`, \`Api-Version\`, \`Ostype\` and \`Docker-Experimental\` headers and the 400 for a version out of range (forwarded requests carry the engine's) |
| \`identity\` | who is calling, through which listener (\`call.identity\`, see below) |
| \`authorization\` | the authorization handlers (\`--authorization-plugin\`): a denial answers 403 (or 404) |
| \`observe\` | its \`done\` hook tells \`observe()\` (metrics, audit) about the answer |
| \`route\` | the daemon's own route (\`/_ping\`, \`/version\`, \`/info\`, \`/events\`, plugins' routes), or forward to the engine backend (\`--engine-host\`; 501 without one) |

A plugin adds its own with \`middleware\`, each placed right \`after\` or right \`before\` one of these
positions (\`before: 'version'\` runs first of all; nothing can go after \`route\`). Several at one
position keep the plugins' order. \`request(call)\` runs on the way in, in list order, until one
answers: a middleware that ends the response (\`call.refuse(403, 'why')\` writes dockerd's error
body) stops the list there, so nothing after it — authorization, the route, the engine — sees the
request. Anything else (\`call.res.setHeader('X-Served-By', 'me')\`: the header joins the daemon's
sorted head) lets it go on; an \`async\` request hook is awaited, and one that throws answers 500.
\`done(call, observation)\` runs once the answer is complete, for every request the router handled
(a refused one too), with its status, bytes, duration, identity and authorization record.

Requests that ask to upgrade their connection (attach, exec start, BuildKit's h2c) go through the
same list before they are forwarded (\`call.upgrade\` is set); a refusal is written on the socket,
which then closes. What Go's server and router answer before any middleware is answered before the
list too: malformed URIs (400), non-canonical paths (301), \`OPTIONS *\`, and unknown paths when no
engine is configured (404).

A middleware at an unknown position, without a name, with a name already in the list or without a
hook fails the start with an error naming the plugin (\`failed to start daemon: plugin my-plugin:
middleware "tag": unknown position after "auth" (known positions: version, identity,
authorization, observe, route)\`): a policy that is silently skipped would fail open.

\`\`\`js
export default async function () {
  return {
    name: 'my-plugin',
    middleware: [
      {name: 'served-by', after: 'identity', request: (call) => call.res.setHeader('X-Served-By', call.identity.listener)},
      {name: 'no-events', before: 'authorization', request(call) {
        if (call.path === '/events') call.refuse(403, 'events are not served here')
      }},
    ],
  }
}
\`\`\`

\`\`\`ts
${middleware}
\`\`\`

A request that no plugin middleware and no observer touches costs nothing extra: the list is walked
with plain method calls, and nothing is timed unless a \`done\` hook or \`observe()\` wants it.

### Re-exec entry points

\`reexec\` maps a name to a lazily imported initializer. The daemon re-runs itself with that name as
\`argv[0]\` (and \`DOCKERD_REEXEC\` set) to run it in a child process, as moby's \`reexec\` does.

\`\`\`ts
${reexec}
\`\`\`

## Authorization plugins

An authorization handler (\`authorization\` in the plugin, enabled by name with
\`--authorization-plugin=<name>\`) is asked about every API request — the daemon's own routes and
every request forwarded to the engine (\`--engine-host\`), upgraded connections (attach, exec)
included — **before any byte of it reaches the engine**. Every configured handler must allow; the
first denial answers \`403 authorization denied by plugin <name>: <msg>\` (or, with \`notFound\`,
\`404 <msg>\` as if the object did not exist), and is logged at warning level in dockerd's words:
\`AuthZRequest for POST /v1.41/containers/create returned error: authorization denied by plugin …\`.

### Who is asking: the caller's identity

Every request carries an explicit identity, worked out once per connection:

| \`method\` | When | What is set |
| --- | --- | --- |
| \`tls\` | a TLS listener (\`--tlsverify\`) | \`name\`: the verified client certificate's subject CN (with several CNs, the last, as Go reads it), else its first SAN; \`cn\`, \`sans\` (\`DNS:…\`, \`IP Address:…\`, \`email:…\`, \`URI:…\`). \`name\` is \`''\` when no certificate was verified. |
| \`unix\` | a unix socket (\`unix://\`, \`fd://\`) | \`uid\`, \`gid\`, \`pid\` of the peer process (SO_PEERCRED, Linux), when known |
| \`tcp\` | plain TCP | \`address\` only: nobody in particular |

\`listener\` is the \`-H\` address the request came through, so one daemon can give different rights
on different sockets. A verified certificate never looks like a local caller, and a unix caller
never has a certificate name. The uid/gid come from a small native addon
(\`src/native/peercred.c\`) built by \`npm run build\` when a C compiler and Node's headers are
there; without it a unix caller's \`uid\` is absent (unknown) and rules that need it never match.

\`\`\`ts
${identity}
\`\`\`

### What a policy sees of the body: exactly what the engine gets

On the routes whose request body is JSON the engine acts on (container create, update and start,
exec create and start, commit, volume and network create, swarm, service, secret, config, node and
plugin updates, \`/auth\`), **the daemon** reads the whole body — chunked or not — up to
\`--authorization-body-limit\` (default 1MiB, daemon.json \`authorization-body-limit\`), hands those
bytes to the handlers as \`body\`, and forwards exactly those bytes to the engine with their own
\`Content-Length\` (never the client's framing). A body the policy cannot see is refused, not
forwarded unseen (reference: CVE-2024-41110):

| Request | Answer |
| --- | --- |
| body larger than the limit (declared or counted while reading a chunked body) | \`413\`, never forwarded |
| a body whose \`Content-Type\` is not \`application/json\` (or none) | \`400 unsupported Content-Type header (…)\` |
| \`Content-Length: 0\` with bytes behind it | the request has no body; the bytes behind it are the next request on the connection and are parsed and authorized on their own |
| \`Transfer-Encoding: chunked\` | read whole, inspected, forwarded with \`Content-Length\` |

Parse the body with \`ctx.helpers.parseGoJson\` and read fields with \`ctx.helpers.goField\`: they
decode as Go's encoding/json does, which is what the engine runs on — field names match
case-insensitively with Unicode folding (\`"privileged"\`, \`"PRIVILEGED"\`, \`"Deviceſ"\` are the
fields they look like), the last duplicate key wins, \`null\` leaves a non-pointer field as it was,
and two \`"HostConfig"\` objects merge. \`JSON.parse\` gets every one of those wrong in the
direction that lets a request through.

### The response hook

An allowing result may carry \`response\`: \`json(body)\` rewrites a JSON answer (the daemon buffers
and re-serialises it; an answer it cannot filter is not sent) and \`event(e)\` drops \`/events\`
entries. The example uses it to narrow \`GET /containers/json\` and \`/events\` to the containers a
caller may see. \`engine.getJson(path)\` in the request lets a handler look objects up at the engine
(\`/containers/ID/json\` for its labels) before deciding.

### Worked example: examples/authz-policy

The example plugin in \`examples/authz-policy\` (installable offline with \`dockerd plugins link\` or
\`plugins install\` of its packed tarball) is a complete policy engine in one dependency-free file.
A policy is a list of rules; **the first rule that matches the request decides; nothing matches →
denied**:

\`\`\`json
${POLICY_EXAMPLE}
\`\`\`

- \`listener\`, \`identity\` (\`method\`, \`cn\`, \`san\`, \`uid\`, \`gid\`, \`group\` from /etc/group),
  \`method\` (\`HEAD\` is its own method) and \`path\` (route patterns in the API's own terms:
  \`/containers/{id}/archive\`, \`/images/{name*}/json\`, \`/containers/*\`) select a rule; each is
  optional, each takes a value or a list.
- \`action\`: \`allow\` or \`deny\`.
- \`container\` (allow rules) grants what containers created, updated, started or exec'd into may
  ask for; everything not granted is refused: \`privileged\`, \`hostNamespaces\` (pid, ipc,
  network, uts, userns, cgroupns), \`capAdd\`, \`devices\` (Devices, DeviceCgroupRules,
  DeviceRequests), \`bindSources\` (host directories bind mounts may come from, in Binds, Mounts
  and local volumes with a \`device\` option), \`securityOpt\` (anything but no-new-privileges,
  MaskedPaths/ReadonlyPaths), \`sysctls\`, \`volumesFrom\`.
- \`labels\` (allow rules) limits the caller to containers carrying those labels: \`docker ps\` and
  \`docker events\` show only those, any other container id (inspect, logs, exec, attach, cp, stop,
  rm, …) answers \`404 No such container\`, the containers the caller creates must carry the labels,
  and \`container:<id>\` modes and VolumesFrom must name visible containers.
- The file is read at start (an error names \`file:line\` and stops the start) and on SIGHUP (an
  error names \`file:line\`, is logged, and the policy in force stays).

The rules above give a monitoring tool a read-only socket (moby/moby#38879): start the daemon
with \`-H unix:///run/docker.sock -H unix:///run/docker-ro.sock\`; \`docker -H
unix:///run/docker-ro.sock ps\`, \`logs\` and \`events\` work there, \`create\`, \`start\`, \`exec\` and
\`rm\` are refused.

Known limits: bind-mount sources are compared as paths (Go's path.Clean), not resolved on the
engine's host, so a symbolic link inside an allowed directory that points elsewhere is followed by
the engine — keep the allowed directories unwritable for the callers, or outside their reach.

### The audit log

\`--audit-log=PATH\` (daemon.json \`audit-log\`, off by default) writes one JSON line per answered
request: \`time\`, \`listener\`, \`identity\`, \`method\`, \`path\`, \`route\`, \`decision\`
(\`allow\`, \`deny\`, or \`none\` without authorization plugins), \`plugin\`, \`rule\` (the rule that
decided), \`status\`, \`bytes\`, \`duration_ms\`. Never a body, a header or a query string, so
\`X-Registry-Auth\` and secrets cannot end up in it. The daemon does not start when the file cannot
be opened for writing; SIGHUP reopens it (for logrotate).

### Compared with the tools people put in front of the Docker socket

What each can express, from their documentation:

| | Tecnativa/docker-socket-proxy | wollomatic/socket-proxy | docker-proxy-filter | moby AuthZ plugins | dockerd-ts + authz-policy |
| --- | --- | --- | --- | --- | --- |
| allow/deny by API section | yes (one variable per section) | yes (regexp per method) | no (behind another proxy) | yes (method and URI) | yes |
| finer paths (\`containers/json\` yes, \`containers/{id}/archive\` no) | no | yes (regexp) | no | yes | yes (route patterns in API terms) |
| HEAD separate from GET | no (GET and HEAD are "read") | yes | no | yes | yes |
| different rights per client | no (one proxy per set of rights) | by client IP/hostname | no | by TLS certificate user | by listener, TLS CN/SAN, unix uid/gid/group |
| unix socket peer identity | no | no | no | no | yes (SO_PEERCRED) |
| several sockets with different rights in one daemon | no | no | no | no (moby/moby#38879 open) | yes (\`listener\` rules) |
| rules on the body (privileged, host namespaces, capabilities, devices) | no | no | no | yes, in the plugin; body only when JSON and under 1 MiB (CVE-2024-41110) | yes, parsed as Go parses it |
| bind-mount source restriction | no | yes (\`-allowbindmountfrom\`) | no | in the plugin | yes (Binds, Mounts, volume \`device\`) |
| body never forwarded unseen (CL 0 + data, chunked, oversized, content type) | n/a (no inspection) | not documented | n/a | fixed in 2024 after a bypass | yes (tested for each) |
| lists filtered to what the caller may see | no | no | yes (by name or label) | no (response: allow or deny only) | yes (\`labels\`: ps and events) |
| other containers answer 404 | no | no | not documented | no | yes |
| audit of who called what | HAProxy access log | request log | no | in the plugin | JSON line per request: identity, decision, rule |
| policy reload without restart, bad file keeps the old one | no | no | no | in the plugin | yes (SIGHUP, file:line errors) |

## Rules of thumb

- Keep the hook file cheap to import: it runs on every start. Import heavy modules inside \`start()\`.
- Throw from \`start()\` to fail the start (the error names the plugin); log and keep going in
  \`reload()\`, where a failure must leave the running configuration in place.
- \`observe()\` and middleware run on every API request: do not throw or block there.
- Option names, shorthands and daemon.json keys are global: prefix them with the plugin's name.
`
}
