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

/** docs/plugins.md: how to write a plugin, with the contract quoted from the sources. */
export function pluginsPage(src: PluginSources): string {
  const contract = extractDeclarations(
    src.plugins,
    ['DockerdPlugin', 'PluginFactory', 'PluginContext', 'ReloadContext', 'PluginLog', 'AuthorizationHandler', 'AuthorizationRequest', 'AuthorizationResult', 'RequestObservation'],
    'src/plugins/types.ts',
  )
  const options = extractDeclarations(src.options, ['FlagSet', 'OptionSpec', 'OptionKind', 'DefaultsContext'], 'src/options/types.ts')
  const routes = extractDeclarations(src.api, ['Route', 'RouteHandler', 'RouteContext'], 'src/api/types.ts')
  const reexec = extractDeclarations(src.reexec, ['Initializer'], 'src/reexec/types.ts')
  const log = extractDeclarations(src.log, ['LogSink'], 'src/log/types.ts')
  return `<!-- ${GENERATED_NOTE} The declarations are quoted from src/plugins/types.ts, src/options/types.ts, src/api/types.ts, src/reexec/types.ts and src/log/types.ts. -->
# Writing dockerd plugins

A plugin is an npm package that adds to the daemon what the built-ins add: options (flags with their
daemon.json keys, validation and help group), Engine API routes, lifecycle hooks (start, reload,
shutdown), authorization handlers, \`/info\` entries, request observers and re-exec entry points.
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
(\`$DOCKERD_DATA_DIR\`, else \`$XDG_DATA_HOME/dockerd\`, else \`~/.local/share/dockerd\`; for a
root daemon that is \`/root/.local/share/dockerd\`):

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

### Re-exec entry points

\`reexec\` maps a name to a lazily imported initializer. The daemon re-runs itself with that name as
\`argv[0]\` (and \`DOCKERD_REEXEC\` set) to run it in a child process, as moby's \`reexec\` does.

\`\`\`ts
${reexec}
\`\`\`

## Rules of thumb

- Keep the hook file cheap to import: it runs on every start. Import heavy modules inside \`start()\`.
- Throw from \`start()\` to fail the start (the error names the plugin); log and keep going in
  \`reload()\`, where a failure must leave the running configuration in place.
- \`observe()\` runs on every API request: do not throw or block there.
- Option names, shorthands and daemon.json keys are global: prefix them with the plugin's name.
`
}
