// The payments API and repository against an in-memory fake: no database needed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createHandler } from '../src/http.js'
import { createMetrics } from '../src/metrics.js'
import { createRepository } from '../src/repository.js'
import { createRoutes } from '../src/routes.js'
import { serve } from './serve.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const PAYMENT = '0b6a7f62-2f5e-4d7a-9a0e-3c1f5e0d9a11'
const ORDER = '5d2f7c1a-7c0e-4b8e-8f7e-2a9d1c3b4e22'

/** Payments and orders tables in memory, understanding just the statements the repository sends. */
function fakeDb() {
  const payments = new Map([[PAYMENT, { id: PAYMENT, orderId: ORDER, amountCents: 2100, currency: 'EUR', status: 'pending', updatedAt: 't0' }]])
  const orders = new Map([[ORDER, { status: 'pending' }]])
  const transactions = []
  const query = async (sql, params) => {
    if (sql.startsWith('SELECT') && sql.includes('WHERE id = ?')) return payments.has(params[0]) ? [{ ...payments.get(params[0]) }] : []
    if (sql.startsWith('SELECT') && sql.includes('WHERE order_id = ?')) return [...payments.values()].filter((p) => p.orderId === params[0])
    if (sql.startsWith('UPDATE payments')) payments.get(params[1]).status = params[0]
    else if (sql.startsWith('UPDATE orders')) orders.get(params[1]).status = params[0]
    return []
  }
  return {
    orders,
    transactions,
    query,
    async transaction(work) {
      const statements = []
      transactions.push(statements)
      return work({ query: (sql, params) => (statements.push(sql), query(sql, params)) })
    },
  }
}

test('capture locks the payment, marks it captured and its order paid in one transaction', async () => {
  const db = fakeDb()
  const result = await createRepository({ primary: db, replica: db }).capturePayment(PAYMENT)
  assert.equal(result.payment.status, 'captured')
  assert.equal(db.orders.get(ORDER).status, 'paid')
  assert.equal(db.transactions.length, 1)
  assert.match(db.transactions[0][0], /FOR UPDATE$/)
})

test('the API captures once, then answers 409; 404 and 400 for unknown and malformed ids', async () => {
  const db = fakeDb()
  const handler = createHandler({ routes: createRoutes(createRepository({ primary: db, replica: db })), log: quiet, metrics: createMetrics(), health: async () => {} })
  await serve(handler, async (call) => {
    assert.equal((await call('GET', `/payments?orderId=${ORDER}`)).status, 200)
    const captured = await call('POST', `/payments/${PAYMENT}/capture`)
    assert.equal(captured.status, 200)
    assert.equal((await captured.json()).status, 'captured')
    const again = await call('POST', `/payments/${PAYMENT}/capture`)
    assert.equal(again.status, 409)
    assert.match((await again.json()).error, /is captured/)
    assert.equal((await call('POST', '/payments/00000000-0000-4000-8000-000000000000/capture')).status, 404)
    assert.equal((await call('GET', '/payments/nope')).status, 400)
  })
})
