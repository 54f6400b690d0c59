/**
 * Where orders are stored. Placing an order writes the order, its items and
 * its pending payment in ONE transaction on the primary: either the customer
 * has an order that can be paid, or nothing happened. Reads use the replica.
 */
import { randomUUID } from 'node:crypto'

const ORDER_COLUMNS = 'id, user_id AS "userId", status, total_cents AS "totalCents", currency, created_at AS "createdAt"'

export function createRepository({ primary, replica, newId = randomUUID }) {
  return {
    /** { order, payment }, or { unknownUser: true } when the user does not exist. */
    async placeOrder({ userId, currency, items, totalCents }) {
      return primary.transaction(async (tx) => {
        const users = await tx.query('SELECT id FROM users WHERE id = ?', [userId])
        if (users.length === 0) return { unknownUser: true }
        const orderId = newId()
        const paymentId = newId()
        await tx.query('INSERT INTO orders (id, user_id, status, total_cents, currency) VALUES (?, ?, ?, ?, ?)', [orderId, userId, 'pending', totalCents, currency])
        for (const item of items) {
          await tx.query('INSERT INTO order_items (order_id, sku, quantity, unit_price_cents) VALUES (?, ?, ?, ?)', [orderId, item.sku, item.quantity, item.unitPriceCents])
        }
        await tx.query('INSERT INTO payments (id, order_id, amount_cents, currency, status) VALUES (?, ?, ?, ?, ?)', [paymentId, orderId, totalCents, currency, 'pending'])
        return {
          order: { id: orderId, userId, status: 'pending', totalCents, currency, items },
          payment: { id: paymentId, orderId, amountCents: totalCents, currency, status: 'pending' },
        }
      })
    },
    async findOrder(id) {
      const [order] = await replica.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`, [id])
      if (!order) return undefined
      const items = await replica.query('SELECT sku, quantity, unit_price_cents AS "unitPriceCents" FROM order_items WHERE order_id = ? ORDER BY sku', [id])
      return { ...order, items }
    },
    async listOrders(userId) {
      return replica.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? ORDER BY created_at DESC, id LIMIT 100`, [userId])
    },
  }
}
