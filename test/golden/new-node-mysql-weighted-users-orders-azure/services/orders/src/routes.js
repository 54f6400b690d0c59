/** The orders API: place an order (with its pending payment), read one, list a user's orders. */
import { assertValid, HttpError } from './http.js'

const ID = /^[0-9a-f-]{36}$/
const SKU = /^[A-Za-z0-9._-]{1,64}$/
const CURRENCIES = ['EUR', 'USD', 'GBP']
const MAX_ITEMS = 100

export function validateNewOrder(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return ['the body must be a JSON object']
  const problems = []
  if (typeof body.userId !== 'string' || !ID.test(body.userId)) problems.push('userId must be the UUID of a user')
  if (!CURRENCIES.includes(body.currency)) problems.push(`currency must be one of ${CURRENCIES.join(', ')}`)
  if (!Array.isArray(body.items) || body.items.length === 0 || body.items.length > MAX_ITEMS) {
    problems.push(`items must be a list of 1 to ${MAX_ITEMS} items`)
    return problems
  }
  const skus = new Set()
  body.items.forEach((item, index) => {
    const at = `items[${index}]`
    if (item === null || typeof item !== 'object') return problems.push(`${at} must be an object`)
    if (typeof item.sku !== 'string' || !SKU.test(item.sku)) problems.push(`${at}.sku must be 1-64 letters, digits, dots, dashes or underscores`)
    else if (skus.has(item.sku)) problems.push(`${at}.sku repeats ${item.sku}; give each SKU once with its quantity`)
    else skus.add(item.sku)
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > 1000) problems.push(`${at}.quantity must be a whole number from 1 to 1000`)
    if (!Number.isInteger(item.unitPriceCents) || item.unitPriceCents < 0 || item.unitPriceCents > 10_000_000) {
      problems.push(`${at}.unitPriceCents must be a whole number of cents from 0 to 10000000`)
    }
  })
  return problems
}

export function orderTotal(items) {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0)
}

export function createRoutes(repository) {
  return [
    {
      method: 'POST',
      path: '/orders',
      handler: async ({ body }) => {
        assertValid(validateNewOrder(body))
        const items = body.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }))
        const result = await repository.placeOrder({ userId: body.userId, currency: body.currency, items, totalCents: orderTotal(items) })
        if (result.unknownUser) throw new HttpError(422, `no user ${body.userId}; create the user first`)
        return { status: 201, body: result }
      },
    },
    {
      method: 'GET',
      path: '/orders/:id',
      handler: async ({ params }) => {
        if (!ID.test(params.id)) throw new HttpError(400, 'the order id must be a UUID')
        const order = await repository.findOrder(params.id)
        if (!order) throw new HttpError(404, `no order ${params.id}`)
        return { body: order }
      },
    },
    {
      method: 'GET',
      path: '/orders',
      handler: async ({ query }) => {
        const userId = query.get('userId')
        if (!userId || !ID.test(userId)) throw new HttpError(400, 'pass ?userId= with the UUID of a user')
        return { body: { orders: await repository.listOrders(userId) } }
      },
    },
  ]
}
