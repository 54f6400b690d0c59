"""
Where orders are stored. Placing an order writes the order, its items and
its pending payment in ONE transaction on the primary: either the customer
has an order that can be paid, or nothing happened. Reads use the replica.
"""
import uuid

ORDER_COLUMNS = 'id, user_id AS "userId", status, total_cents AS "totalCents", currency, created_at AS "createdAt"'


class Repository:
    def __init__(self, primary, replica, new_id=lambda: str(uuid.uuid4())):
        self.primary = primary
        self.replica = replica
        self.new_id = new_id

    def place_order(self, user_id: str, currency: str, items: list, total_cents: int):
        """{"order", "payment"}, or None when the user does not exist."""

        def write(tx):
            if not tx.query("SELECT id FROM users WHERE id = %s", (user_id,)):
                return None
            order_id, payment_id = self.new_id(), self.new_id()
            tx.query(
                "INSERT INTO orders (id, user_id, status, total_cents, currency) VALUES (%s, %s, %s, %s, %s)",
                (order_id, user_id, "pending", total_cents, currency),
            )
            for item in items:
                tx.query(
                    "INSERT INTO order_items (order_id, sku, quantity, unit_price_cents) VALUES (%s, %s, %s, %s)",
                    (order_id, item["sku"], item["quantity"], item["unitPriceCents"]),
                )
            tx.query(
                "INSERT INTO payments (id, order_id, amount_cents, currency, status) VALUES (%s, %s, %s, %s, %s)",
                (payment_id, order_id, total_cents, currency, "pending"),
            )
            return {
                "order": {"id": order_id, "userId": user_id, "status": "pending", "totalCents": total_cents, "currency": currency, "items": items},
                "payment": {"id": payment_id, "orderId": order_id, "amountCents": total_cents, "currency": currency, "status": "pending"},
            }

        return self.primary.transaction(write)

    def find_order(self, order_id: str):
        rows = self.replica.query(f"SELECT {ORDER_COLUMNS} FROM orders WHERE id = %s", (order_id,))
        if not rows:
            return None
        items = self.replica.query(
            'SELECT sku, quantity, unit_price_cents AS "unitPriceCents" FROM order_items WHERE order_id = %s ORDER BY sku', (order_id,)
        )
        return {**rows[0], "items": items}

    def list_orders(self, user_id: str) -> list:
        return self.replica.query(f"SELECT {ORDER_COLUMNS} FROM orders WHERE user_id = %s ORDER BY created_at DESC, id LIMIT 100", (user_id,))
