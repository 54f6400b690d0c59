// The orders API and repository against in-memory fakes: no database needed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createHandler } from '../src/http.js'
import { createMetrics } from '../src/metrics.js'
import { createRepository } from '../src/repository.js'
import { createRoutes, orderTotal, validateNewOrder } from '../src/routes.js'
import { serve } from './serve.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const USER = '6f1c1f3e-8a4b-4a36-9a59-4d1b2b4b8f01'
const ORDER = { userId: USER, currency: 'EUR', items: [{ sku: 'tea-1', quantity: 2, unitPriceCents: 450 }, { sku: 'mug', quantity: 1, unitPriceCents: 1200 }] }

test('validateNewOrder names each problem with its place', () => {
  assert.deepEqual(validateNewOrder(ORDER), [])
  assert.deepEqual(validateNewOrder({ userId: 'x', currency: 'XYZ', items: [] }), [
    'userId must be the UUID of a user',
    'currency must be one of EUR, USD, GBP',
    'items must be a list of 1 to 100 items',
  ])
  assert.deepEqual(validateNewOrder({ ...ORDER, items: [{ sku: 'a', quantity: 0, unitPriceCents: -1 }, { sku: 'a', quantity: 1, unitPriceCents: 1 }] }), [
    'items[0].quantity must be a whole number from 1 to 1000',
    'items[0].unitPriceCents must be a whole number of cents from 0 to 10000000',
    'items[1].sku repeats a; give each SKU once with its quantity',
  ])
  assert.equal(orderTotal(ORDER.items), 2100)
})

/** A transactional database fake: records statements per transaction and answers SELECTs from a table. */
function fakeDb({ users = [USER] } = {}) {
  const transactions = []
  const query = (log) => async (sql, params) => {
    log.push({ sql, params })
    if (sql.startsWith('SELECT id FROM users')) return users.includes(params[0]) ? [{ id: params[0] }] : []
    return []
  }
  return {
    transactions,
    async transaction(work) {
      const statements = []
      transactions.push(statements)
      return work({ query: query(statements) })
    },
    query: query([]),
  }
}

test('placing an order writes order, items and payment in one transaction', async () => {
  const ids = ['order-1', 'payment-1']
  const primary = fakeDb()
  const repository = createRepository({ primary, replica: fakeDb(), newId: () => ids.shift() })
  const result = await repository.placeOrder({ ...ORDER, totalCents: 2100 })
  assert.equal(primary.transactions.length, 1)
  const statements = primary.transactions[0].map(({ sql }) => sql.split(' (')[0])
  assert.deepEqual(statements, ['SELECT id FROM users WHERE id = ?', 'INSERT INTO orders', 'INSERT INTO order_items', 'INSERT INTO order_items', 'INSERT INTO payments'])
  assert.deepEqual(primary.transactions[0].at(-1).params, ['payment-1', 'order-1', 2100, 'EUR', 'pending'])
  assert.deepEqual(result.payment, { id: 'payment-1', orderId: 'order-1', amountCents: 2100, currency: 'EUR', status: 'pending' })
})

test('an unknown user writes nothing', async () => {
  const primary = fakeDb({ users: [] })
  const result = await createRepository({ primary, replica: fakeDb() }).placeOrder({ ...ORDER, totalCents: 2100 })
  assert.deepEqual(result, { unknownUser: true })
  assert.equal(primary.transactions[0].length, 1)
})

test('POST /orders answers 201, 422 for an unknown user and 400 for bad input', async () => {
  const handler = createHandler({ routes: createRoutes(createRepository({ primary: fakeDb(), replica: fakeDb() })), log: quiet, metrics: createMetrics(), health: async () => {} })
  await serve(handler, async (call) => {
    const created = await call('POST', '/orders', { json: ORDER })
    assert.equal(created.status, 201)
    const body = await created.json()
    assert.equal(body.order.totalCents, 2100)
    assert.equal(body.payment.status, 'pending')
    const unknown = await call('POST', '/orders', { json: { ...ORDER, userId: '00000000-0000-4000-8000-000000000000' } })
    assert.equal(unknown.status, 422)
    const invalid = await call('POST', '/orders', { json: { ...ORDER, currency: 'eur' } })
    assert.equal(invalid.status, 400)
    assert.deepEqual((await invalid.json()).details, ['currency must be one of EUR, USD, GBP'])
    assert.equal((await call('GET', '/orders')).status, 400)
  })
})
