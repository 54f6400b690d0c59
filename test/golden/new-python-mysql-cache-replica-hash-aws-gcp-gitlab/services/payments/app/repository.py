"""
Where payments are stored. Capturing locks the payment row, marks it
captured and its order paid in one transaction, so two captures racing
cannot both succeed. Reads use the replica.
"""
COLUMNS = 'id, order_id AS "orderId", amount_cents AS "amountCents", currency, status, updated_at AS "updatedAt"'


class Repository:
    def __init__(self, primary, replica):
        self.primary = primary
        self.replica = replica

    def find_payment(self, payment_id: str):
        rows = self.replica.query(f"SELECT {COLUMNS} FROM payments WHERE id = %s", (payment_id,))
        return rows[0] if rows else None

    def find_payment_of_order(self, order_id: str):
        rows = self.replica.query(f"SELECT {COLUMNS} FROM payments WHERE order_id = %s", (order_id,))
        return rows[0] if rows else None

    def capture_payment(self, payment_id: str):
        """("captured", payment), ("missing", None) or ("conflict", status) when it is not pending."""

        def capture(tx):
            rows = tx.query(f"SELECT {COLUMNS} FROM payments WHERE id = %s FOR UPDATE", (payment_id,))
            if not rows:
                return "missing", None
            payment = rows[0]
            if payment["status"] != "pending":
                return "conflict", payment["status"]
            tx.query("UPDATE payments SET status = %s, updated_at = CURRENT_TIMESTAMP WHERE id = %s", ("captured", payment_id))
            tx.query("UPDATE orders SET status = %s WHERE id = %s", ("paid", payment["orderId"]))
            return "captured", tx.query(f"SELECT {COLUMNS} FROM payments WHERE id = %s", (payment_id,))[0]

        return self.primary.transaction(capture)
