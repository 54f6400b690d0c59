// The users API and repository against in-memory fakes: no database needed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createHandler } from '../src/http.js'
import { createMetrics } from '../src/metrics.js'
import { createRepository } from '../src/repository.js'
import { createRoutes, validateNewUser } from '../src/routes.js'
import { serve } from './serve.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const ID = '6f1c1f3e-8a4b-4a36-9a59-4d1b2b4b8f01'

function fakeRepository() {
  const users = new Map()
  return {
    async createUser({ email, name }) {
      if ([...users.values()].some((user) => user.email === email)) return undefined
      const user = { id: ID, email, name, createdAt: '2026-01-01T00:00:00.000Z' }
      users.set(user.id, user)
      return user
    },
    async findUser(id) { return users.get(id) },
    async listUsers(limit) { return [...users.values()].slice(0, limit) },
  }
}

const handler = () => createHandler({ routes: createRoutes(fakeRepository()), log: quiet, metrics: createMetrics(), health: async () => {} })

test('validateNewUser names every problem', () => {
  assert.deepEqual(validateNewUser({ email: 'ada@example.com', name: 'Ada' }), [])
  assert.deepEqual(validateNewUser({ email: 'nope', name: '' }), [
    'email must be an email address such as ada@example.com',
    'name must be a non-empty string of at most 200 characters',
  ])
  assert.deepEqual(validateNewUser([]), ['the body must be a JSON object'])
})

test('POST /users creates a user, refuses a duplicate email and bad input', async () => {
  await serve(handler(), async (call) => {
    const created = await call('POST', '/users', { json: { email: 'Ada@Example.com', name: ' Ada ' } })
    assert.equal(created.status, 201)
    assert.deepEqual(await created.json(), { id: ID, email: 'ada@example.com', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' })
    const duplicate = await call('POST', '/users', { json: { email: 'ada@example.com', name: 'Ada' } })
    assert.equal(duplicate.status, 409)
    const invalid = await call('POST', '/users', { json: { email: 'ada' } })
    assert.equal(invalid.status, 400)
    assert.equal((await invalid.json()).details.length, 2)
  })
})

test('GET /users/:id finds a user, 404s a missing one and 400s a malformed id', async () => {
  await serve(handler(), async (call) => {
    await call('POST', '/users', { json: { email: 'ada@example.com', name: 'Ada' } })
    assert.equal((await call('GET', `/users/${ID}`)).status, 200)
    assert.equal((await call('GET', '/users/6f1c1f3e-0000-4a36-9a59-4d1b2b4b8f01')).status, 404)
    assert.equal((await call('GET', '/users/42')).status, 400)
    assert.equal((await call('GET', '/users?limit=500')).status, 400)
    assert.equal((await (await call('GET', '/users?limit=10')).json()).users.length, 1)
  })
})

/** A database fake that records the SQL it is given and answers from a script. */
function recordingDb(answers = {}) {
  const calls = []
  return {
    calls,
    async query(sql, params) {
      calls.push({ sql, params })
      const key = Object.keys(answers).find((prefix) => sql.startsWith(prefix))
      const answer = key ? answers[key] : []
      if (answer instanceof Error) throw answer
      return answer
    },
    isUniqueViolation: (error) => error.code === 'duplicate',
  }
}

test('the repository writes to the primary, reads from the replica, with parameters', async () => {
  const user = { id: ID, email: 'ada@example.com', name: 'Ada' }
  const primary = recordingDb({ SELECT: [user] })
  const replica = recordingDb({ SELECT: [user] })
  const repository = createRepository({ primary, replica, newId: () => ID })
  assert.deepEqual(await repository.createUser({ email: user.email, name: user.name }), user)
  assert.deepEqual(primary.calls[0], { sql: 'INSERT INTO users (id, email, name) VALUES (?, ?, ?)', params: [ID, user.email, user.name] })
  assert.deepEqual(await repository.findUser(ID), user)
  assert.equal(replica.calls.length, 1)
  assert.deepEqual(replica.calls[0].params, [ID])
})

test('the repository turns a unique violation into "taken" and rethrows anything else', async () => {
  const taken = Object.assign(new Error('duplicate key'), { code: 'duplicate' })
  const repository = createRepository({ primary: recordingDb({ INSERT: taken }), replica: recordingDb() })
  assert.equal(await repository.createUser({ email: 'a@b.co', name: 'A' }), undefined)
  const broken = createRepository({ primary: recordingDb({ INSERT: new Error('connection lost') }), replica: recordingDb() })
  await assert.rejects(broken.createUser({ email: 'a@b.co', name: 'A' }), /connection lost/)
})
