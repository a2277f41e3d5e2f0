import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {untrustedReason} from '../../../src/plugins/trust.js'

describe('untrustedReason: what a root daemon refuses to load plugins from', () => {
  type Tree = Record<string, {mode: number; uid: number}>
  const check = (tree: Tree, root: string) =>
    untrustedReason(
      root,
      (p) => {
        const st = tree[p]
        if (!st) throw Object.assign(new Error('no'), {code: 'ENOENT'})
        return st
      },
      (p) => p,
    )
  const safe: Tree = {'/': {mode: 0o755, uid: 0}, '/opt': {mode: 0o755, uid: 0}, '/opt/p': {mode: 0o755, uid: 0}}
  const table: Array<[string, Tree, string, string | undefined]> = [
    ['root-owned 0755 all the way up', safe, '/opt/p', undefined],
    ['the plugin directory world-writable', {...safe, '/opt/p': {mode: 0o777, uid: 0}}, '/opt/p', '/opt/p is writable by its group (mode 0777)'],
    ['the plugin directory writable by others only', {...safe, '/opt/p': {mode: 0o757, uid: 0}}, '/opt/p', '/opt/p is writable by others (mode 0757)'],
    ['the plugin directory owned by a user', {...safe, '/opt/p': {mode: 0o755, uid: 1000}}, '/opt/p', '/opt/p is owned by uid 1000, not root'],
    ['a parent group-writable', {...safe, '/opt': {mode: 0o775, uid: 0}}, '/opt/p', '/opt is writable by its group (mode 0775)'],
    ['a sticky world-writable parent (/tmp) is fine', {...safe, '/opt': {mode: 0o1777, uid: 0}}, '/opt/p', undefined],
    ['a sticky plugin directory itself is not', {...safe, '/opt/p': {mode: 0o1777, uid: 0}}, '/opt/p', '/opt/p is writable by its group (mode 1777)'],
    ['a missing directory', safe, '/opt/q', 'its directory /opt/q cannot be read'],
  ]
  for (const [name, tree, root, want] of table) it(name, () => assert.equal(check(tree, root), want))
})
