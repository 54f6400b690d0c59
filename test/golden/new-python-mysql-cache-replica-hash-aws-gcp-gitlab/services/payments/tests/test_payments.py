"""The payments API and repository against an in-memory fake: no database needed."""
import unittest

from app.http import create_handler
from app.metrics import Metrics
from app.repository import Repository
from app.routes import create_routes

from .support import Quiet, serve

PAYMENT = "0b6a7f62-2f5e-4d7a-9a0e-3c1f5e0d9a11"
ORDER = "5d2f7c1a-7c0e-4b8e-8f7e-2a9d1c3b4e22"


class FakeDb:
    """Payments and orders in memory, understanding just the statements the repository sends."""

    def __init__(self):
        self.payments = {PAYMENT: {"id": PAYMENT, "orderId": ORDER, "amountCents": 2100, "currency": "EUR", "status": "pending"}}
        self.orders = {ORDER: {"status": "pending"}}
        self.transactions = []

    def query(self, sql, params=()):
        if sql.startswith("SELECT") and "WHERE id = %s" in sql:
            return [dict(self.payments[params[0]])] if params[0] in self.payments else []
        if sql.startswith("SELECT") and "WHERE order_id = %s" in sql:
            return [dict(p) for p in self.payments.values() if p["orderId"] == params[0]]
        if sql.startswith("UPDATE payments"):
            self.payments[params[1]]["status"] = params[0]
        elif sql.startswith("UPDATE orders"):
            self.orders[params[1]]["status"] = params[0]
        return []

    def transaction(self, work):
        statements = []
        self.transactions.append(statements)
        db = self

        class Tx:
            def query(self, sql, params=()):
                statements.append(sql)
                return db.query(sql, params)

        return work(Tx())


class PaymentsTest(unittest.TestCase):
    def test_capture_locks_the_row_and_marks_the_order_paid_in_one_transaction(self):
        db = FakeDb()
        outcome, payment = Repository(db, db).capture_payment(PAYMENT)
        self.assertEqual((outcome, payment["status"]), ("captured", "captured"))
        self.assertEqual(db.orders[ORDER]["status"], "paid")
        self.assertEqual(len(db.transactions), 1)
        self.assertTrue(db.transactions[0][0].endswith("FOR UPDATE"))

    def test_the_api_captures_once_then_answers_409(self):
        db = FakeDb()
        handler = create_handler(create_routes(Repository(db, db)), Quiet(), Metrics(), health=lambda: None)
        with serve(handler) as call:
            self.assertEqual(call("GET", f"/payments?orderId={ORDER}").status, 200)
            captured = call("POST", f"/payments/{PAYMENT}/capture")
            self.assertEqual((captured.status, captured.json()["status"]), (200, "captured"))
            again = call("POST", f"/payments/{PAYMENT}/capture")
            self.assertEqual(again.status, 409)
            self.assertIn("is captured", again.json()["error"])
            self.assertEqual(call("POST", "/payments/00000000-0000-4000-8000-000000000000/capture").status, 404)
            self.assertEqual(call("GET", "/payments/nope").status, 400)
