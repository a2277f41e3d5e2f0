'use strict'
// Loads lib/<name>.bundle.cjs for bin/run.js: compiled with the V8 code cache the build wrote
// beside it (scripts/code-cache.mjs; Node 20 has no compile cache of its own), without Node's ES
// module loader. V8 compiles from source when the cache is missing or rejected (another Node, other
// V8 flags): slower, the same code.

const {readFileSync} = require('node:fs')
const {createRequire} = require('node:module')
const {dirname, join} = require('node:path')
const {Script} = require('node:vm')

// A bundle is one function expression (the build wrote it so, not a concatenation here: V8 keeps
// the source it compiled for as long as the code runs). A vm.Script loses its dynamic import()
// callback when V8 takes its code from a cache: the build rewrites the bundles' import() calls to
// the last parameter, a function of a module Node loaded.
const WRAPPER = ['(function (exports, require, module, __filename, __dirname, importModule) {', '\n})']
const importModule = (specifier) => import(specifier)

/** Compiles and runs one bundle; `cachedData` undefined compiles from source. */
function compileBundle(file, cachedData) {
  const script = new Script(readFileSync(file, 'latin1'), {cachedData, filename: file})
  const module = {exports: {}}
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file), importModule)
  return {exports: module.exports, script}
}

function loadBundle(name) {
  const file = join(__dirname, '..', 'lib', `${name}.bundle.cjs`)
  let cachedData
  try {
    cachedData = readFileSync(`${file}.cache`)
  } catch {}
  return compileBundle(file, cachedData).exports
}

module.exports = {compileBundle, loadBundle, WRAPPER}
