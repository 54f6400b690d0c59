"""The payments API: read a payment, find an order's payment, capture a pending one."""
import re

from .http import HttpError, Response, Route

ID = re.compile(r"^[0-9a-f-]{36}$")


def create_routes(repository) -> list:
    def checked(value: str, what: str) -> str:
        if not ID.match(value):
            raise HttpError(400, f"the {what} id must be a UUID")
        return value

    def get_payment(request):
        payment_id = checked(request.params["id"], "payment")
        payment = repository.find_payment(payment_id)
        if payment is None:
            raise HttpError(404, f"no payment {payment_id}")
        return Response(payment)

    def payment_of_order(request):
        order_id = request.query.get("orderId", "")
        if not ID.match(order_id):
            raise HttpError(400, "pass ?orderId= with the UUID of an order")
        payment = repository.find_payment_of_order(order_id)
        if payment is None:
            raise HttpError(404, f"no payment for order {order_id}")
        return Response(payment)

    def capture(request):
        payment_id = checked(request.params["id"], "payment")
        outcome, value = repository.capture_payment(payment_id)
        if outcome == "missing":
            raise HttpError(404, f"no payment {payment_id}")
        if outcome == "conflict":
            raise HttpError(409, f"payment {payment_id} is {value}, only a pending payment can be captured")
        return Response(value)

    return [
        Route("GET", "/payments/:id", get_payment),
        Route("GET", "/payments", payment_of_order),
        Route("POST", "/payments/:id/capture", capture),
    ]
