"""The orders API and repository against in-memory fakes: no database needed."""
import unittest

from app.http import create_handler
from app.metrics import Metrics
from app.repository import Repository
from app.routes import create_routes, order_total, validate_new_order

from .support import Quiet, serve

USER_ID = "6f1c1f3e-8a4b-4a36-9a59-4d1b2b4b8f01"
ORDER = {
    "userId": USER_ID,
    "currency": "EUR",
    "items": [{"sku": "tea-1", "quantity": 2, "unitPriceCents": 450}, {"sku": "mug", "quantity": 1, "unitPriceCents": 1200}],
}


class FakeDb:
    """Records the statements of each transaction; knows which users exist."""

    def __init__(self, users=(USER_ID,)):
        self.users = set(users)
        self.transactions = []

    def _query(self, log):
        def query(sql, params=()):
            log.append((sql, params))
            if sql.startswith("SELECT id FROM users"):
                return [{"id": params[0]}] if params[0] in self.users else []
            return []

        return query

    def transaction(self, work):
        statements = []
        self.transactions.append(statements)

        class Tx:
            query = staticmethod(self._query(statements))

        return work(Tx())

    def query(self, sql, params=()):
        return self._query([])(sql, params)


class OrdersTest(unittest.TestCase):
    def test_validation_names_each_problem_with_its_place(self):
        self.assertEqual(validate_new_order(ORDER), [])
        self.assertEqual(validate_new_order({"userId": "x", "currency": "XYZ", "items": []}), [
            "userId must be the UUID of a user",
            "currency must be one of EUR, USD, GBP",
            "items must be a list of 1 to 100 items",
        ])
        items = [{"sku": "a", "quantity": 0, "unitPriceCents": -1}, {"sku": "a", "quantity": True, "unitPriceCents": 1}]
        self.assertEqual(validate_new_order({**ORDER, "items": items}), [
            "items[0].quantity must be a whole number from 1 to 1000",
            "items[0].unitPriceCents must be a whole number of cents from 0 to 10000000",
            "items[1].sku repeats a; give each SKU once with its quantity",
            "items[1].quantity must be a whole number from 1 to 1000",
        ])
        self.assertEqual(order_total(ORDER["items"]), 2100)

    def test_an_order_and_its_payment_are_written_in_one_transaction(self):
        ids = iter(["order-1", "payment-1"])
        primary = FakeDb()
        result = Repository(primary, FakeDb(), new_id=lambda: next(ids)).place_order(USER_ID, "EUR", ORDER["items"], 2100)
        self.assertEqual(len(primary.transactions), 1)
        statements = [sql.split(" (")[0] for sql, _ in primary.transactions[0]]
        self.assertEqual(statements, ["SELECT id FROM users WHERE id = %s", "INSERT INTO orders", "INSERT INTO order_items", "INSERT INTO order_items", "INSERT INTO payments"])
        self.assertEqual(primary.transactions[0][-1][1], ("payment-1", "order-1", 2100, "EUR", "pending"))
        self.assertEqual(result["payment"], {"id": "payment-1", "orderId": "order-1", "amountCents": 2100, "currency": "EUR", "status": "pending"})

    def test_an_unknown_user_writes_nothing(self):
        primary = FakeDb(users=())
        self.assertIsNone(Repository(primary, FakeDb()).place_order(USER_ID, "EUR", ORDER["items"], 2100))
        self.assertEqual(len(primary.transactions[0]), 1)

    def test_the_api_answers_201_422_and_400(self):
        handler = create_handler(create_routes(Repository(FakeDb(), FakeDb())), Quiet(), Metrics(), health=lambda: None)
        with serve(handler) as call:
            created = call("POST", "/orders", ORDER)
            self.assertEqual(created.status, 201)
            self.assertEqual(created.json()["order"]["totalCents"], 2100)
            self.assertEqual(call("POST", "/orders", {**ORDER, "userId": "00000000-0000-4000-8000-000000000000"}).status, 422)
            invalid = call("POST", "/orders", {**ORDER, "currency": "eur"})
            self.assertEqual((invalid.status, invalid.json()["details"]), (400, ["currency must be one of EUR, USD, GBP"]))
            self.assertEqual(call("GET", "/orders").status, 400)
