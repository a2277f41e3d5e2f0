import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {canonicalHeaderKey, cleanPath, createRouter} from '../../../src/api/router.js'
import {systemRoutes} from '../../../src/api/routes/system.js'
import type {Route} from '../../../src/api/types.js'

const noop = (): void => {}

describe('router matching', {timeout: 5_000}, () => {
  const router = createRouter(systemRoutes())
  router.add({method: 'GET', path: '/containers/:id/json', handler: noop})
  router.add({method: 'POST', path: '/plugins/:name/*rest', handler: noop})

  const table: [string, string, string | undefined, string, Record<string, string>][] = [
    // method, path, expected route path (undefined = 404), url version, params
    ['GET', '/_ping', '/_ping', '', {}],
    ['HEAD', '/_ping', '/_ping', '', {}],
    ['GET', '/v1.41/_ping', '/_ping', '1.41', {}],
    ['GET', '/v1/_ping', '/_ping', '1', {}],
    ['GET', '/v./_ping', '/_ping', '.', {}],
    ['GET', '/vabc/_ping', undefined, '', {}],
    ['GET', '/v/_ping', undefined, '', {}],
    ['GET', '/_ping/', undefined, '', {}],
    ['POST', '/_ping', undefined, '', {}],
    ['HEAD', '/version', undefined, '', {}],
    ['GET', '/v1.41/v1.41/_ping', undefined, '', {}],
    ['GET', '/nope', undefined, '', {}],
    ['GET', '/containers/abc/json', '/containers/:id/json', '', {id: 'abc'}],
    ['GET', '/v1.50/containers/abc/json', '/containers/:id/json', '1.50', {id: 'abc'}],
    ['GET', '/containers//json', undefined, '', {}],
    ['POST', '/plugins/p/a/b', '/plugins/:name/*rest', '', {name: 'p', rest: 'a/b'}],
    ['POST', '/plugins/p/', '/plugins/:name/*rest', '', {name: 'p', rest: ''}],
    ['POST', '/plugins/p', undefined, '', {}],
    ['OPTIONS', '/', '/*anyroute', '', {anyroute: ''}],
    ['OPTIONS', '/anything/at/all', '/*anyroute', '', {anyroute: 'anything/at/all'}],
    ['OPTIONS', '/v1.41/_ping', '/*anyroute', '1.41', {anyroute: '_ping'}],
    ['OPTIONS', '/v1.41', '/*anyroute', '', {anyroute: 'v1.41'}],
  ]
  for (const [method, path, want, version, params] of table) {
    test(`${method} ${path} → ${want ?? '404'}`, () => {
      const hit = router.match(method, path)
      if (want === undefined) {
        assert.equal(hit, undefined)
        return
      }
      assert.ok(hit)
      assert.equal(hit.route.path, want)
      assert.equal(hit.urlVersion, version)
      assert.deepEqual(hit.params, params)
    })
  }
})

describe('router registration', {timeout: 5_000}, () => {
  test('add() after creation serves the new route; routes lists all in order', () => {
    const router = createRouter()
    assert.equal(router.match('GET', '/plugin/x'), undefined)
    router.add({method: 'GET', path: '/plugin/x', handler: noop})
    assert.equal(router.match('GET', '/v1.44/plugin/x')?.route.path, '/plugin/x')
    assert.deepEqual(router.routes.map((r) => r.path), ['/plugin/x'])
  })
  test('a second route of the same shape is a programming error (plugins cannot shadow built-ins)', () => {
    const router = createRouter(systemRoutes())
    assert.throws(() => router.add({method: 'GET', path: '/_ping', handler: noop}), /route already registered: GET \/_ping/)
    router.add({method: 'GET', path: '/x/:a', handler: noop})
    assert.throws(() => router.add({method: 'GET', path: '/x/:b', handler: noop}), /already registered/)
    router.add({method: 'POST', path: '/_ping', handler: noop}) // another method is fine
  })
  const invalid: [string, Partial<Route>][] = [
    ['relative path', {method: 'GET', path: '_ping'}],
    ['bad method', {method: 'PATCH' as Route['method'], path: '/x'}],
    ['no handler', {method: 'GET', path: '/x', handler: undefined}],
    ['wildcard not last', {method: 'GET', path: '/*a/b'}],
    ['duplicate param', {method: 'GET', path: '/:a/:a'}],
    ['empty param name', {method: 'GET', path: '/:'}],
  ]
  for (const [what, r] of invalid) {
    test(`rejects ${what}`, () => {
      assert.throws(() => createRouter([{handler: noop, ...r} as Route]))
    })
  }
})

describe('cleanPath (gorilla/mux)', {timeout: 5_000}, () => {
  const table: [string, string][] = [
    ['', '/'],
    ['/', '/'],
    ['/_ping', '/_ping'],
    ['//_ping', '/_ping'],
    ['/a/../_ping', '/_ping'],
    ['/./_ping', '/_ping'],
    ['/_ping/', '/_ping/'],
    ['/a/b/../', '/a/'],
    ['/..', '/'],
    ['/a/.', '/a'],
  ]
  for (const [input, want] of table) test(`${JSON.stringify(input)} → ${want}`, () => assert.equal(cleanPath(input), want))
})

describe('canonicalHeaderKey (textproto)', {timeout: 5_000}, () => {
  const table: [string, string][] = [
    ['api-version', 'Api-Version'],
    ['OSTYPE', 'Ostype'],
    ['docker-experimental', 'Docker-Experimental'],
    ['x-content-type-options', 'X-Content-Type-Options'],
    ['bad header', 'bad header'],
  ]
  for (const [input, want] of table) test(`${input} → ${want}`, () => assert.equal(canonicalHeaderKey(input), want))
})
