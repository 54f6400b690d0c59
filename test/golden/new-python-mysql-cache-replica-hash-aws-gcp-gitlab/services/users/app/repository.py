"""
Where users are stored: writes go to the primary, reads to the replica
(the same pool when there is none), with a Redis cache in front of single-user lookups.
"""
import uuid

COLUMNS = 'id, email, name, created_at AS "createdAt"'


class Repository:
    def __init__(self, primary, replica, cache=None, new_id=lambda: str(uuid.uuid4())):
        self.cache = cache
        self.primary = primary
        self.replica = replica
        self.new_id = new_id

    def create_user(self, email: str, name: str):
        """The new user, or None when the email is taken."""
        user_id = self.new_id()
        try:
            self.primary.query("INSERT INTO users (id, email, name) VALUES (%s, %s, %s)", (user_id, email, name))
        except Exception as error:
            if self.primary.is_unique_violation(error):
                return None
            raise
        # Read back from the primary: a replica may not have the row yet.
        rows = self.primary.query(f"SELECT {COLUMNS} FROM users WHERE id = %s", (user_id,))
        return rows[0] if rows else None

    def find_user(self, user_id: str):
        key = f"user:{user_id}"
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
        rows = self.replica.query(f"SELECT {COLUMNS} FROM users WHERE id = %s", (user_id,))
        user = rows[0] if rows else None
        if user is not None and self.cache is not None:
            self.cache.set(key, user)
        return user

    def list_users(self, limit: int) -> list:
        return self.replica.query(f"SELECT {COLUMNS} FROM users ORDER BY created_at DESC, id LIMIT %s", (limit,))
