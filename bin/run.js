#!/usr/bin/env node
'use strict'
// CommonJS (bin/package.json), so that a plain `--version` never starts Node's ES module loader
// (about 5 % of a bare Node start by itself); nor do the paths before oclif, which load CommonJS
// bundles of lib/ with a V8 code cache (bin/load-bundle.js). oclif's path imports ES modules.

// Until the daemon installs its dump handler, SIGUSR1 must not start Node's inspector.
process.on('SIGUSR1', () => {})

const {readFileSync} = require('node:fs')
const {basename, join} = require('node:path')

const args = process.argv.slice(2)

/**
 * The `--version` line the build wrote, for a plain start only: a reexec child (named by its
 * argv0 or DOCKERD_REEXEC) goes to dispatchReexec() like every other argv.
 */
function plainVersion() {
  if (args.length !== 1 || (args[0] !== '--version' && args[0] !== '-v')) return undefined
  const node = process.argv0 === process.execPath || /^node(?:\.exe)?$/i.test(basename(process.argv0))
  if (!node || process.env.DOCKERD_REEXEC !== undefined) return undefined
  try {
    return readFileSync(join(__dirname, '..', 'lib', 'version-line.txt'), 'utf8')
  } catch {
    return undefined
  }
}

async function main() {
  const line = plainVersion()
  if (line !== undefined) {
    process.stdout.write(line)
    return
  }

  // Fast paths before @oclif/core loads (importing it costs about twice a bare Node start):
  // reexec children, a bare --version or --help and a plain daemon start never need the framework.
  const {loadBundle} = require('./load-bundle.js')
  const {dispatchReexec, fastHelpEligible, fastStartEligible, versionLine} = loadBundle('entry')
  const reexecCode = await dispatchReexec(args)
  if (reexecCode !== undefined) {
    process.exitCode = reexecCode
    return
  }

  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    process.stdout.write(`${versionLine()}\n`)
    return
  }

  let code
  if (fastHelpEligible(args)) {
    // Help text oclif rendered at build time, filled in for this host and terminal.
    const text = loadBundle('help-fast').fastHelp()
    if (text !== undefined) {
      process.stdout.write(text)
      code = 0
    }
  } else if (fastStartEligible(args)) code = await loadBundle('fast-start').fastStart(args)
  if (code === undefined) {
    const [{execute}, {settings}] = await Promise.all([import('@oclif/core/execute'), import('@oclif/core/settings')])
    // No ts-node/tsx at run time, and no "linked ESM module" warnings for linked plugins.
    settings.enableAutoTranspile = false
    // The package directory, not this file: oclif would take bin/package.json for the root.
    await execute({dir: join(__dirname, '..')})
  } else {
    process.exitCode = code
  }
}

main()
