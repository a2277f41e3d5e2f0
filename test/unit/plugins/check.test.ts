import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {BUILTIN_PLUGINS} from '../../../src/plugins/builtin/index.js'
import {declarationProblems} from '../../../src/plugins/check.js'
import {acceptPlugins} from '../../../src/plugins/registry.js'
import type {DockerdPlugin} from '../../../src/plugins/types.js'

const handler = () => {}
const option = (over: Record<string, unknown> = {}) => ({description: 'd', kind: 'string', name: 'x-opt', ...over})
const withOption = (over: Record<string, unknown>) => ({flagSets: [{helpGroup: 'X', id: 'x', options: [option(over)]}], name: 'x'})

describe('declarationProblems: a plugin declaration against the contract', () => {
  const table: Array<[string, Record<string, unknown>, string[]]> = [
    ['an empty plugin', {name: 'x'}, []],
    ['a full valid one', {...withOption({char: 'X', default: () => 'a', enum: ['a'], key: null}), info: () => ({}), routes: [{handler, method: 'GET', path: '/x'}], start: handler}, []],
    ['an unknown kind', withOption({kind: 'strng'}), ['option --x-opt: unknown kind "strng" (valid kinds: bool, bytes, features, int, ip, list, map, mapmap, nri-opts, object, pools, runtimes, string, ulimits)']],
    ['a missing kind', withOption({kind: undefined}), ['option --x-opt: unknown kind undefined (valid kinds: bool, bytes, features, int, ip, list, map, mapmap, nri-opts, object, pools, runtimes, string, ulimits)']],
    ['a bad name', withOption({name: 'X Opt'}), ['option --X Opt: name must be lower-case letters, digits and dashes, not "X Opt"']],
    ['a two-letter char', withOption({char: 'xy'}), ['option --x-opt: char must be one letter, not "xy"']],
    ['a default that is a value', withOption({default: 'a'}), ['option --x-opt: default must be a function, not "a"']],
    ['an enum of numbers', withOption({enum: [1]}), ['option --x-opt: enum must be a list of strings, not [1]']],
    ['options not a list', {flagSets: [{helpGroup: 'X', id: 'x'}], name: 'x'}, ['flag set "x": options must be a list, not undefined']],
    ['a flag set without id', {flagSets: [{helpGroup: 'X', options: []}], name: 'x'}, ['flag set 1: id must be a non-empty string, not undefined']],
    ['an unknown platform', {flagSets: [{helpGroup: 'X', id: 'x', options: [], platforms: ['beos']}], name: 'x'}, ['flag set "x": platforms must be a list of darwin, freebsd, linux, win32, not ["beos"]']],
    ['a route without handler', {name: 'x', routes: [{method: 'GET', path: '/x'}]}, ['route 1 (/x): handler must be a function, not undefined']],
    ['a route with a bad method and path', {name: 'x', routes: [{handler, method: 'get', path: 'x'}]}, ['route 1 (x): method must be one of DELETE, GET, HEAD, OPTIONS, POST, PUT, not "get"', 'route 1 (x): path must be a string starting with "/", not "x"']],
    ['a start that is not a function', {name: 'x', start: true}, ['start must be a function, not true']],
    ['authorization handlers not functions', {authorization: {policy: 'allow'}, name: 'x'}, ['authorization handler "policy" must be a function, not "allow"']],
  ]
  for (const [label, plugin, problems] of table) {
    it(label, () => assert.deepEqual(declarationProblems(plugin), problems))
  }

  it('the built-in plugins conform', () => {
    for (const p of BUILTIN_PLUGINS) assert.deepEqual(declarationProblems(p as unknown as Record<string, unknown>), [], p.name)
  })

  it('acceptPlugins refuses a misdeclared plugin by name and keeps the others', () => {
    const bad = withOption({kind: 'strng'}) as unknown as DockerdPlugin
    const good = {...withOption({name: 'y-opt'}), name: 'y'} as unknown as DockerdPlugin
    const {accepted, failures} = acceptPlugins('linux', [bad, good], [])
    assert.deepEqual(accepted.map((p) => p.name), ['y'])
    assert.equal(failures.length, 1)
    assert.match(failures[0]!.message, /^plugin x refused: option --x-opt: unknown kind "strng"/)
  })
})
