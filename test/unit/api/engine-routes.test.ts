import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {compileRoutePattern, ENGINE_ROUTES, ENGINE_SECTIONS, engineRouteOf, matchRoutePattern, sectionOf} from '../../../src/api/engine-routes.js'

describe('engine routes', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['GET', '/containers/json', '/containers/json'],
    ['GET', '/containers/abc123/logs', '/containers/{id}/logs'],
    ['HEAD', '/containers/abc/archive', '/containers/{id}/archive'],
    ['PUT', '/containers/abc/archive', '/containers/{id}/archive'],
    ['POST', '/containers/create', '/containers/create'],
    ['POST', '/exec/e1/start', '/exec/{id}/start'],
    ['GET', '/containers/abc/attach/ws', '/containers/{id}/attach/ws'],
    ['DELETE', '/containers/abc', '/containers/{id}'],
    ['GET', '/images/registry.example/ns/name:tag/json', '/images/{name*}/json'],
    ['DELETE', '/images/ns/name:tag', '/images/{name*}'],
    ['POST', '/images/ns/name/push', '/images/{name*}/push'],
    ['GET', '/images/json', '/images/json'],
    ['POST', '/build', '/build'],
    ['POST', '/session', '/session'],
    ['GET', '/system/df', '/system/df'],
    ['GET', '/plugins/vieux/sshfs:latest/json', '/plugins/{name*}/json'],
    // wrong method, unknown path, the daemon's own routes
    ['GET', '/containers/create', undefined],
    ['POST', '/containers/abc/frobnicate', undefined],
    ['GET', '/containers//logs', undefined],
    ['GET', '/_ping', undefined],
    ['GET', '/info', undefined],
  ]
  for (const [method, path, want] of cases) {
    test(`${method} ${path} → ${want ?? 'none'}`, () => assert.equal(engineRouteOf(method, path), want))
  }

  test('every route compiles and matches its own pattern', () => {
    for (const spec of ENGINE_ROUTES) {
      const p = compileRoutePattern(spec)
      const sample = p.pattern.replace(/\{\w+\*?\}/g, 'x')
      assert.ok(matchRoutePattern(p, p.method, sample), spec)
    }
  })

  test('sections hold the engine areas and not the daemon own routes', () => {
    for (const s of ['containers', 'images', 'exec', 'networks', 'volumes', 'build', 'session', 'grpc', 'swarm', 'plugins', 'system', 'auth', 'commit']) assert.ok(ENGINE_SECTIONS.has(s), s)
    for (const s of ['_ping', 'info', 'version', 'events', '']) assert.ok(!ENGINE_SECTIONS.has(s), s)
    assert.equal(sectionOf('/containers/x/json'), 'containers')
    assert.equal(sectionOf('/build'), 'build')
  })

  test('parameters are captured; patterns without a method match any', () => {
    const p = compileRoutePattern('/containers/{id}/archive')
    assert.deepEqual(matchRoutePattern(p, 'PUT', '/containers/c1/archive'), {id: 'c1'})
    const img = compileRoutePattern('GET /images/{name*}/json')
    assert.deepEqual(matchRoutePattern(img, 'GET', '/images/a/b:c/json'), {name: 'a/b:c'})
    assert.equal(matchRoutePattern(img, 'POST', '/images/a/json'), undefined)
    const all = compileRoutePattern('GET /containers/*')
    assert.ok(matchRoutePattern(all, 'GET', '/containers/x/logs'))
  })

  const bad: Array<[string, RegExp]> = [
    ['GET containers/json', /must start with "\/"/],
    ['GET /containers/{id', /not a literal or a \{name\} parameter/],
    ['GET /a/x{id}', /not a literal/],
  ]
  for (const [spec, message] of bad) test(`refuses ${spec}`, () => assert.throws(() => compileRoutePattern(spec), message))
})
