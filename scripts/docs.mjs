// npm run docs: the generated part of docs/, from the option table and the oclif manifest.
//
//   node scripts/docs.mjs                  write docs/ (after `npm run build`)
//   node scripts/docs.mjs --out DIR        write into DIR instead (the staleness test compares)
//   node scripts/docs.mjs --help-text OS   print `dockerd --help` for OS (linux|windows|freebsd)
//
// Writes docs/dockerd.{linux,windows,freebsd}.md, docs/dockerd.8 (Linux), docs/plugins.md and
// docs/schema/daemon.<os>.json (the same schemas `npm run build` writes). Output depends on the
// sources only: the generator re-runs itself in a fixed environment (root, HOME=/root, no XDG
// variables, a PATH with no docker-proxy, no installed plugins), and prints no dates or paths.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The environment every default and help text is computed in. */
export const FIXED_ENV = {
  DOCKERD_DATA_DIR: '/nonexistent/dockerd-docs',
  DOCKERD_ROOTLESS: '0',
  HOME: '/root',
  LANG: 'C',
  OCLIF_COLUMNS: '80',
  PATH: '/nonexistent',
  TZ: 'UTC',
}

/** Doc file OS word → oclif/Node platform. */
export const TARGETS = {freebsd: 'freebsd', linux: 'linux', windows: 'win32'}

function parseArgs(argv) {
  const opts = {helpText: undefined, out: join(root, 'docs')}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--out') opts.out = argv[++i]
    else if (a === '--help-text') opts.helpText = argv[++i]
    else throw new Error(`docs.mjs: unknown argument ${a}`)
  }

  if (opts.helpText !== undefined && !TARGETS[opts.helpText]) throw new Error(`docs.mjs: --help-text wants one of ${Object.keys(TARGETS).join(', ')}`)
  return opts
}

/** `dockerd --help` for a target OS, rendered by the built CLI in the fixed environment. */
function helpText(os) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), '--help'], {
    encoding: 'utf8',
    env: {...process.env, DOCKERD_TARGET_OS: TARGETS[os]},
  })
  if (r.status !== 0) throw new Error(`dockerd --help for ${os} failed (${r.status}): ${r.stderr}`)
  return r.stdout
}

async function generate(out) {
  const need = ['lib/docs/model.js', 'oclif.manifest.json']
  for (const f of need) if (!existsSync(join(root, f))) throw new Error(`docs.mjs: ${f} is missing: run \`npm run build\` first`)
  const lib = (p) => import(pathToFileURL(join(root, 'lib', p)).href)
  const [{docModel}, {commandMarkdown, docOs}, {manPage}, {pluginsPage}, {optionTable}, {daemonJsonSchema}] = await Promise.all([
    lib('docs/model.js'),
    lib('docs/markdown.js'),
    lib('docs/man.js'),
    lib('docs/plugins.js'),
    lib('options/index.js'),
    lib('config/schema.js'),
  ])
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  const command = Object.values(manifest.commands)[0]
  if (!command) throw new Error('docs.mjs: oclif.manifest.json has no command')
  const written = []
  const write = (name, text) => {
    const file = join(out, name)
    mkdirSync(dirname(file), {recursive: true})
    writeFileSync(file, text)
    written.push(name)
  }

  for (const [os, platform] of Object.entries(TARGETS)) {
    const model = docModel({bin: pkg.oclif.bin, description: command.description, env: process.env, platform, usage: command.usage, version: pkg.version})
    write(`dockerd.${docOs(model)}.md`, commandMarkdown(model))
    if (platform === 'linux') write('dockerd.8', manPage(model))
    // The same generator and table as scripts/build.mjs, so the check below covers the schemas too.
    write(`schema/daemon.${os}.json`, JSON.stringify(daemonJsonSchema(optionTable(platform, []), platform), null, 2) + '\n')
  }

  const src = (p) => readFileSync(join(root, 'src', p), 'utf8')
  write('plugins.md', pluginsPage({api: src('api/types.ts'), options: src('options/types.ts'), plugins: src('plugins/types.ts'), reexec: src('reexec/types.ts'), log: src('log/types.ts')}))
  return written
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) {
  if (process.env.DOCKERD_DOCS_CHILD === '1') {
    const opts = parseArgs(process.argv.slice(2))
    if (opts.helpText) {
      process.stdout.write(helpText(opts.helpText))
    } else {
      const files = await generate(opts.out)
      const where = relative(process.cwd(), opts.out) || '.'
      process.stderr.write(`docs: wrote ${files.length} files to ${where}: ${files.join(', ')}\n`)
    }
  } else {
    // Re-run in the fixed environment: defaults must not depend on who generates the docs.
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      cwd: process.cwd(),
      env: {...FIXED_ENV, DOCKERD_DOCS_CHILD: '1'},
      stdio: 'inherit',
    })
    process.exitCode = r.status ?? 1
  }
}
