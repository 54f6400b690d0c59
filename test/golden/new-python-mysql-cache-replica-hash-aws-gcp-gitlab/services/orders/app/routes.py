"""The orders API: place an order (with its pending payment), read one, list a user's orders."""
import re

from .http import HttpError, Response, Route, assert_valid

ID = re.compile(r"^[0-9a-f-]{36}$")
SKU = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CURRENCIES = ("EUR", "USD", "GBP")
MAX_ITEMS = 100


def _whole(value, low, high) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def validate_new_order(body) -> list:
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    problems = []
    if not isinstance(body.get("userId"), str) or not ID.match(body["userId"]):
        problems.append("userId must be the UUID of a user")
    if body.get("currency") not in CURRENCIES:
        problems.append(f"currency must be one of {', '.join(CURRENCIES)}")
    items = body.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        problems.append(f"items must be a list of 1 to {MAX_ITEMS} items")
        return problems
    skus = set()
    for index, item in enumerate(items):
        at = f"items[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{at} must be an object")
            continue
        sku = item.get("sku")
        if not isinstance(sku, str) or not SKU.match(sku):
            problems.append(f"{at}.sku must be 1-64 letters, digits, dots, dashes or underscores")
        elif sku in skus:
            problems.append(f"{at}.sku repeats {sku}; give each SKU once with its quantity")
        else:
            skus.add(sku)
        if not _whole(item.get("quantity"), 1, 1000):
            problems.append(f"{at}.quantity must be a whole number from 1 to 1000")
        if not _whole(item.get("unitPriceCents"), 0, 10_000_000):
            problems.append(f"{at}.unitPriceCents must be a whole number of cents from 0 to 10000000")
    return problems


def order_total(items: list) -> int:
    return sum(item["quantity"] * item["unitPriceCents"] for item in items)


def create_routes(repository) -> list:
    def place_order(request):
        assert_valid(validate_new_order(request.body))
        body = request.body
        items = [{"sku": item["sku"], "quantity": item["quantity"], "unitPriceCents": item["unitPriceCents"]} for item in body["items"]]
        result = repository.place_order(body["userId"], body["currency"], items, order_total(items))
        if result is None:
            raise HttpError(422, f"no user {body['userId']}; create the user first")
        return Response(result, 201)

    def get_order(request):
        order_id = request.params["id"]
        if not ID.match(order_id):
            raise HttpError(400, "the order id must be a UUID")
        order = repository.find_order(order_id)
        if order is None:
            raise HttpError(404, f"no order {order_id}")
        return Response(order)

    def list_orders(request):
        user_id = request.query.get("userId", "")
        if not ID.match(user_id):
            raise HttpError(400, "pass ?userId= with the UUID of a user")
        return Response({"orders": repository.list_orders(user_id)})

    return [
        Route("POST", "/orders", place_order),
        Route("GET", "/orders/:id", get_order),
        Route("GET", "/orders", list_orders),
    ]
