/**
 * Where payments are stored. Capturing locks the payment row, marks it
 * captured and its order paid in one transaction, so two captures racing
 * cannot both succeed. Reads use the replica.
 */
const COLUMNS = 'id, order_id AS "orderId", amount_cents AS "amountCents", currency, status, updated_at AS "updatedAt"'

export function createRepository({ primary, replica }) {
  return {
    async findPayment(id) {
      const [payment] = await replica.query(`SELECT ${COLUMNS} FROM payments WHERE id = ?`, [id])
      return payment
    },
    async findPaymentOfOrder(orderId) {
      const [payment] = await replica.query(`SELECT ${COLUMNS} FROM payments WHERE order_id = ?`, [orderId])
      return payment
    },
    /** { payment } when captured, { missing: true }, or { conflict: status } when it is not pending. */
    async capturePayment(id) {
      return primary.transaction(async (tx) => {
        const [payment] = await tx.query(`SELECT ${COLUMNS} FROM payments WHERE id = ? FOR UPDATE`, [id])
        if (!payment) return { missing: true }
        if (payment.status !== 'pending') return { conflict: payment.status }
        await tx.query('UPDATE payments SET status = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?', ['captured', id])
        await tx.query('UPDATE orders SET status = ? WHERE id = ?', ['paid', payment.orderId])
        const [captured] = await tx.query(`SELECT ${COLUMNS} FROM payments WHERE id = ?`, [id])
        return { payment: captured }
      })
    },
  }
}
