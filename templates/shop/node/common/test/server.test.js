// Graceful shutdown: on SIGTERM a request in flight finishes, new connections are refused, then resources close.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer } from '../src/server.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

test('stop drains the request in flight, refuses new ones, closes resources and exits 0', async () => {
  let release
  const slow = new Promise((resolve) => { release = resolve })
  const handler = async (request, response) => {
    await slow
    response.end('done')
  }
  const closed = []
  let exitCode
  const { listening, stop } = startServer({
    handler, port: 0, log: quiet, shutdownTimeoutMs: 5000,
    onClose: async () => { closed.push('pools') },
    exit: (code) => { exitCode = code },
  })
  const port = await listening
  const inFlight = fetch(`http://127.0.0.1:${port}/`).then((response) => response.text())
  await sleep(50)
  const stopping = stop('SIGTERM')
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'a new connection is refused while draining')
  assert.deepEqual(closed, [], 'resources stay open while a request runs')
  release()
  assert.equal(await inFlight, 'done')
  assert.equal(await stopping, 0)
  assert.deepEqual(closed, ['pools'])
  assert.equal(exitCode, 0)
})
