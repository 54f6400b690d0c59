// The HTTP layer every service shares: health, metrics, errors and logs, with no database.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createHandler, HttpError } from '../src/http.js'
import { createMetrics } from '../src/metrics.js'
import { serve } from './serve.js'

function setup({ healthy = true } = {}) {
  const lines = []
  const log = { debug() {}, info: (msg, fields) => lines.push({ level: 'info', msg, ...fields }), warn() {}, error: (msg, fields) => lines.push({ level: 'error', msg, ...fields }) }
  const routes = [
    { method: 'GET', path: '/things/:id', handler: async ({ params }) => ({ body: { id: params.id } }) },
    { method: 'POST', path: '/things', handler: async ({ body }) => ({ status: 201, body }) },
    { method: 'GET', path: '/teapot', handler: async () => { throw new HttpError(418, 'short and stout') } },
    { method: 'GET', path: '/broken', handler: async () => { throw new Error('secret detail') } },
  ]
  const health = async () => { if (!healthy) throw new Error('connection refused') }
  return { lines, handler: createHandler({ routes, log, metrics: createMetrics(), health }) }
}

test('/healthz answers 200 when the database answers and 503 when it does not', async () => {
  await serve(setup().handler, async (call) => {
    const response = await call('GET', '/healthz')
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { status: 'ok' })
  })
  await serve(setup({ healthy: false }).handler, async (call) => {
    const response = await call('GET', '/healthz')
    assert.equal(response.status, 503)
    assert.equal((await response.json()).status, 'unavailable')
  })
})

test('/metrics counts requests by route pattern and records latency', async () => {
  await serve(setup().handler, async (call) => {
    await call('GET', '/things/a')
    await call('GET', '/things/b')
    const text = await (await call('GET', '/metrics')).text()
    assert.match(text, /^http_requests_total\{method="GET",route="\/things\/:id",status="200"\} 2$/m)
    assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m)
    assert.match(text, /^http_request_duration_seconds_bucket\{method="GET",route="\/things\/:id",le="\+Inf"\} 2$/m)
    assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/things\/:id"\} 2$/m)
  })
})

test('errors are JSON: 404, 405, 415, bad JSON, HttpError and a hidden 500', async () => {
  const { handler, lines } = setup()
  await serve(handler, async (call) => {
    assert.equal((await call('GET', '/nothing')).status, 404)
    assert.equal((await call('DELETE', '/things/a')).status, 405)
    assert.equal((await call('POST', '/things', { raw: 'x', type: 'text/plain' })).status, 415)
    const bad = await call('POST', '/things', { raw: '{nope' })
    assert.equal(bad.status, 400)
    assert.deepEqual(await bad.json(), { error: 'the body is not valid JSON' })
    const teapot = await call('GET', '/teapot')
    assert.equal(teapot.status, 418)
    assert.deepEqual(await teapot.json(), { error: 'short and stout' })
    const broken = await call('GET', '/broken')
    assert.equal(broken.status, 500)
    const body = await broken.json()
    assert.equal(body.error, 'internal error')
    assert.ok(!JSON.stringify(body).includes('secret detail'), 'internal messages stay in the logs')
  })
  assert.ok(lines.some((line) => line.level === 'error' && line.error === 'secret detail'))
  const request = lines.find((line) => line.msg === 'request' && line.route === '/teapot')
  assert.equal(request.status, 418)
  assert.equal(typeof request.durationMs, 'number')
})
