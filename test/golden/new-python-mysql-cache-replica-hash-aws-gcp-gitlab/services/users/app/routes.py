"""The users API: create a user, read one, list them. Input is checked here; storage is the repository's."""
import re

from .http import HttpError, Response, Route, assert_valid

EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
ID = re.compile(r"^[0-9a-f-]{36}$")


def validate_new_user(body) -> list:
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    problems = []
    email = body.get("email")
    if not isinstance(email, str) or not EMAIL.match(email) or len(email) > 320:
        problems.append("email must be an email address such as ada@example.com")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append("name must be a non-empty string of at most 200 characters")
    return problems


def create_routes(repository) -> list:
    def create_user(request):
        assert_valid(validate_new_user(request.body))
        email = request.body["email"].lower()
        user = repository.create_user(email, request.body["name"].strip())
        if user is None:
            raise HttpError(409, f"a user with the email {email} already exists")
        return Response(user, 201)

    def get_user(request):
        user_id = request.params["id"]
        if not ID.match(user_id):
            raise HttpError(400, "the user id must be a UUID")
        user = repository.find_user(user_id)
        if user is None:
            raise HttpError(404, f"no user {user_id}")
        return Response(user)

    def list_users(request):
        raw = request.query.get("limit", "50")
        if not raw.isdigit() or not 1 <= int(raw) <= 100:
            raise HttpError(400, "limit must be a whole number from 1 to 100")
        return Response({"users": repository.list_users(int(raw))})

    return [
        Route("POST", "/users", create_user),
        Route("GET", "/users/:id", get_user),
        Route("GET", "/users", list_users),
    ]
