// Build step: `dockerd --help` for each target OS, rendered by oclif (the real help class, through
// bin/run.js with DOCKERD_OCLIF=1) once, wide enough that nothing wraps, then cut into what the
// fast --help (src/help-fast.ts) needs: the text before and after the flag groups, and each flag
// row, host-dependent defaults (src/options/host-defaults.ts) kept apart to be filled in at run
// time; in plain text and in oclif's colours. Writes lib/help-models.js. Then checks the fast
// rendering against oclif's in two contrasting environments (root vs per-user, TLS and rootless
// variables, a docker-proxy on PATH), at the narrowest width and at 80 columns: a difference
// fails the build, so the fast --help cannot drift from oclif's.
import {execFile} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {promisify} from 'node:util'

const run = promisify(execFile)

/** Doc OS word → target platform; the models the fast --help knows. */
const TARGETS = {freebsd: 'freebsd', linux: 'linux', windows: 'win32'}
const WIDE = 100_000
const ANSI = /\x1B\[[0-9;]*m/g
const isTitle = (line) => /^(?:\S+ )*FLAGS$/.test(line.replaceAll(ANSI, ''))
const ROW = /^(\s*\S+(?: \S+)*)(?: {2,}(\S.*))?$/

function environments(dir) {
  const proxyDir = join(dir, 'bin')
  mkdirSync(proxyDir)
  writeFileSync(join(proxyDir, 'docker-proxy'), '')
  chmodSync(join(proxyDir, 'docker-proxy'), 0o755)
  const base = {DOCKERD_DATA_DIR: join(dir, 'no-plugins'), LANG: 'C', TZ: 'UTC'}
  return [
    {...base, DOCKERD_ROOTLESS: '0', HOME: '/root', PATH: '/nonexistent'},
    {
      ...base,
      DOCKER_CERT_PATH: '/nonexistent/certs',
      DOCKER_TLS_VERIFY: '1',
      DOCKERD_ROOTLESS: '1',
      HOME: '/nonexistent/home/someone',
      PATH: proxyDir,
      ProgramData: 'D:\\Data',
      ROOTLESSKIT_STATE_DIR: '/nonexistent/rootlesskit',
      XDG_CONFIG_HOME: '/nonexistent/config',
      XDG_DATA_HOME: '/nonexistent/data',
      XDG_RUNTIME_DIR: '/nonexistent/run/1000',
    },
  ]
}

/** oclif's --help; FORCE_COLOR=1 gets its colours without a terminal. */
async function oclifHelp(root, env, platform, columns, colour) {
  const {stdout} = await run(process.execPath, [join(root, 'bin', 'run.js'), '--help'], {
    env: {...env, DOCKERD_OCLIF: '1', DOCKERD_TARGET_OS: platform, OCLIF_COLUMNS: String(columns), ...(colour ? {FORCE_COLOR: '1'} : {})},
    maxBuffer: 16 << 20,
  })
  return stdout
}

/** Cuts oclif's unwrapped help into a HelpModel (src/help-fast.ts). */
function cut(text, table, ctx, {defaultSuffix, hostDefaults}, os) {
  const lines = text.split('\n')
  const first = lines.findIndex(isTitle)
  if (first < 0) throw new Error(`help-model: no flag group in the ${os} help`)
  const groups = []
  let i = first
  while (i < lines.length && isTitle(lines[i])) {
    const group = {rows: [], title: lines[i++]}
    for (; i < lines.length && lines[i] !== ''; i++) {
      const m = ROW.exec(lines[i].slice(2))
      const name = /--([\w-]+)/.exec(m?.[1] ?? '')?.[1]
      const entry = name === undefined ? undefined : table.entries.find((e) => e.name === name)
      if (!lines[i].startsWith('  ') || !m || !entry) throw new Error(`help-model: cannot read this ${os} help row: ${JSON.stringify(lines[i])}`)
      const [, left, rowText = ''] = m
      if (Object.hasOwn(hostDefaults, name) && !entry.defaultHelp) {
        const want = entry.description + defaultSuffix(entry, hostDefaults[name](ctx))
        if (rowText !== want) throw new Error(`help-model: --${name} reads ${JSON.stringify(rowText)}, not ${JSON.stringify(want)}`)
        group.rows.push({description: entry.description, kind: entry.kind, left, name})
      } else group.rows.push({left, text: rowText})
    }

    groups.push(group)
    // Groups are separated by one blank line.
    if (lines[i] === '' && isTitle(lines[i + 1] ?? '')) i++
    else break
  }

  const head = lines.slice(0, first).join('\n') + '\n'
  const tail = '\n' + lines.slice(i).join('\n')
  const widest = Math.max(...[...lines.slice(0, first), ...lines.slice(i)].map((l) => l.replaceAll(ANSI, '').length))
  // Text that fits with room to spare is never wrapped by oclif.
  return {groups, head, minWidth: Math.max(40, widest + 2), tail}
}

export async function writeHelpModels(root) {
  const lib = (p) => import(pathToFileURL(join(root, 'lib', p)).href)
  const [{optionTable}, layout, {hostDefaults}, {renderHelp}, {defaultsContext}] = await Promise.all([
    lib('options/index.js'),
    lib('help-layout.js'),
    lib('options/host-defaults.js'),
    lib('help-fast.js'),
    lib('platform/paths.js'),
  ])
  const dir = mkdtempSync(join(tmpdir(), 'dockerd-help-model-'))
  try {
    const envs = environments(dir)
    const models = {}
    await Promise.all(
      Object.entries(TARGETS).map(async ([os, platform]) => {
        const table = optionTable(platform, [])
        const pair = {}
        for (const colour of [false, true]) {
          const wide = await oclifHelp(root, envs[0], platform, WIDE, colour)
          const model = cut(wide, table, defaultsContext(platform, envs[0]), {defaultSuffix: layout.defaultSuffix, hostDefaults}, os)
          // The narrowest width at home; the usual width elsewhere (other paths, TLS, rootless).
          for (const [env, width] of colour ? [[envs[1], 80]] : [[envs[0], model.minWidth], [envs[1], 80]]) {
            const want = await oclifHelp(root, env, platform, width, colour)
            const got = renderHelp(model, width, {...env, DOCKERD_TARGET_OS: platform})
            if (got !== want) {
              const at = [...want].findIndex((c, k) => c !== got[k])
              throw new Error(
                `help-model: the fast --help for ${os}${colour ? ' in colour' : ''} differs from oclif's at ${width} columns (HOME=${env.HOME}), from: ${JSON.stringify(want.slice(at, at + 80))} vs ${JSON.stringify(got.slice(at, at + 80))}`,
              )
            }
          }

          pair[colour ? 'coloured' : 'plain'] = model
        }

        models[platform] = pair
      }),
    )
    const sorted = Object.fromEntries(Object.keys(models).sort().map((k) => [k, models[k]]))
    writeFileSync(
      join(root, 'lib', 'help-models.js'),
      `// Generated by scripts/help-model.mjs from oclif's --help; see src/help-models.ts.\nexport const helpModels = JSON.parse(${JSON.stringify(JSON.stringify(sorted))})\n`,
    )
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}
