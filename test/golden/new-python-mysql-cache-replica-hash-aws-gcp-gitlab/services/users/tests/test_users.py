"""The users API and repository against in-memory fakes: no database needed."""
import unittest

from app.http import create_handler
from app.metrics import Metrics
from app.repository import Repository
from app.routes import create_routes, validate_new_user
from app.cache import Cache

from .support import Quiet, serve

USER_ID = "6f1c1f3e-8a4b-4a36-9a59-4d1b2b4b8f01"


class FakeRepository:
    def __init__(self):
        self.users = {}

    def create_user(self, email, name):
        if any(user["email"] == email for user in self.users.values()):
            return None
        user = {"id": USER_ID, "email": email, "name": name}
        self.users[USER_ID] = user
        return user

    def find_user(self, user_id):
        return self.users.get(user_id)

    def list_users(self, limit):
        return list(self.users.values())[:limit]


class RecordingDb:
    """Records the SQL it is given and answers from a script keyed by statement prefix."""

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.calls = []

    def query(self, sql, params=()):
        self.calls.append((sql, params))
        for prefix, answer in self.answers.items():
            if sql.startswith(prefix):
                if isinstance(answer, Exception):
                    raise answer
                return answer
        return []

    def is_unique_violation(self, error):
        return isinstance(error, KeyError)


def handler():
    return create_handler(create_routes(FakeRepository()), Quiet(), Metrics(), health=lambda: None)


class UsersTest(unittest.TestCase):
    def test_validation_names_every_problem(self):
        self.assertEqual(validate_new_user({"email": "ada@example.com", "name": "Ada"}), [])
        self.assertEqual(validate_new_user({"email": "nope", "name": ""}), [
            "email must be an email address such as ada@example.com",
            "name must be a non-empty string of at most 200 characters",
        ])
        self.assertEqual(validate_new_user([]), ["the body must be a JSON object"])

    def test_create_refuses_duplicates_and_bad_input(self):
        with serve(handler()) as call:
            created = call("POST", "/users", {"email": "Ada@Example.com", "name": " Ada "})
            self.assertEqual(created.status, 201)
            self.assertEqual(created.json(), {"id": USER_ID, "email": "ada@example.com", "name": "Ada"})
            self.assertEqual(call("POST", "/users", {"email": "ada@example.com", "name": "Ada"}).status, 409)
            invalid = call("POST", "/users", {"email": "ada"})
            self.assertEqual(invalid.status, 400)
            self.assertEqual(len(invalid.json()["details"]), 2)

    def test_get_finds_404s_and_checks_the_id(self):
        with serve(handler()) as call:
            call("POST", "/users", {"email": "ada@example.com", "name": "Ada"})
            self.assertEqual(call("GET", f"/users/{USER_ID}").status, 200)
            self.assertEqual(call("GET", "/users/6f1c1f3e-0000-4a36-9a59-4d1b2b4b8f01").status, 404)
            self.assertEqual(call("GET", "/users/42").status, 400)
            self.assertEqual(call("GET", "/users?limit=500").status, 400)
            self.assertEqual(len(call("GET", "/users?limit=10").json()["users"]), 1)

    def test_writes_go_to_the_primary_and_reads_to_the_replica(self):
        user = {"id": USER_ID, "email": "ada@example.com", "name": "Ada"}
        primary, replica = RecordingDb({"SELECT": [user]}), RecordingDb({"SELECT": [user]})
        repository = Repository(primary, replica, new_id=lambda: USER_ID)
        self.assertEqual(repository.create_user("ada@example.com", "Ada"), user)
        self.assertEqual(primary.calls[0], ("INSERT INTO users (id, email, name) VALUES (%s, %s, %s)", (USER_ID, "ada@example.com", "Ada")))
        self.assertEqual(repository.find_user(USER_ID), user)
        self.assertEqual(replica.calls[0][1], (USER_ID,))

    def test_a_taken_email_is_none_and_other_errors_propagate(self):
        taken = Repository(RecordingDb({"INSERT": KeyError("duplicate")}), RecordingDb())
        self.assertIsNone(taken.create_user("a@b.co", "A"))
        broken = Repository(RecordingDb({"INSERT": ConnectionError("lost")}), RecordingDb())
        with self.assertRaises(ConnectionError):
            broken.create_user("a@b.co", "A")

    def test_lookups_read_through_the_cache_and_survive_a_broken_one(self):
        user = {"id": USER_ID, "email": "ada@example.com", "name": "Ada"}

        class Client:
            def __init__(self):
                self.store, self.ex = {}, None

            def get(self, key):
                return self.store.get(key)

            def set(self, key, value, ex=None):
                self.store[key], self.ex = value, ex

            def close(self):
                pass

        client, replica = Client(), RecordingDb({"SELECT": [user]})
        repository = Repository(RecordingDb(), replica, cache=Cache(client, 60, Quiet()))
        self.assertEqual(repository.find_user(USER_ID), user)
        self.assertEqual(repository.find_user(USER_ID), user)
        self.assertEqual(len(replica.calls), 1)
        self.assertEqual(client.ex, 60)

        class Broken:
            def get(self, key):
                raise ConnectionError("down")

            def set(self, key, value, ex=None):
                raise ConnectionError("down")

        fallback = Repository(RecordingDb(), RecordingDb({"SELECT": [user]}), cache=Cache(Broken(), 60, Quiet()))
        self.assertEqual(fallback.find_user(USER_ID), user)
