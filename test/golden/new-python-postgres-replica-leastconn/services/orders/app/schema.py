"""
The shop's tables. The services share one database and each applies the
whole schema at start: every statement is idempotent and runs under a shared
lock, so the order in which services start does not matter.
"""

STATEMENTS = [
    """CREATE TABLE IF NOT EXISTS users (
      id VARCHAR(36) PRIMARY KEY,
      email VARCHAR(320) NOT NULL UNIQUE,
      name VARCHAR(200) NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS orders (
      id VARCHAR(36) PRIMARY KEY,
      user_id VARCHAR(36) NOT NULL REFERENCES users (id),
      status VARCHAR(16) NOT NULL,
      total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
      currency CHAR(3) NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
    )""",
    "CREATE INDEX IF NOT EXISTS orders_user_id ON orders (user_id)",
    """CREATE TABLE IF NOT EXISTS order_items (
      order_id VARCHAR(36) NOT NULL REFERENCES orders (id),
      sku VARCHAR(64) NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity > 0),
      unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
      PRIMARY KEY (order_id, sku)
    )""",
    """CREATE TABLE IF NOT EXISTS payments (
      id VARCHAR(36) PRIMARY KEY,
      order_id VARCHAR(36) NOT NULL UNIQUE REFERENCES orders (id),
      amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
      currency CHAR(3) NOT NULL,
      status VARCHAR(16) NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
    )""",
]


def migrate(db, log) -> None:
    def apply(tx):
        for statement in STATEMENTS:
            tx.query(statement)

    db.exclusive("shop-schema", apply)
    log.info("schema ready", statements=len(STATEMENTS))
