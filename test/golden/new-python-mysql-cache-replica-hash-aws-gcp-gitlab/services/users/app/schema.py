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
      created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE IF NOT EXISTS orders (
      id VARCHAR(36) PRIMARY KEY,
      user_id VARCHAR(36) NOT NULL,
      status VARCHAR(16) NOT NULL,
      total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
      currency CHAR(3) NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
      INDEX orders_user_id (user_id),
      FOREIGN KEY (user_id) REFERENCES users (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE IF NOT EXISTS order_items (
      order_id VARCHAR(36) NOT NULL,
      sku VARCHAR(64) NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity > 0),
      unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
      PRIMARY KEY (order_id, sku),
      FOREIGN KEY (order_id) REFERENCES orders (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE IF NOT EXISTS payments (
      id VARCHAR(36) PRIMARY KEY,
      order_id VARCHAR(36) NOT NULL UNIQUE,
      amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
      currency CHAR(3) NOT NULL,
      status VARCHAR(16) NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
      updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
      FOREIGN KEY (order_id) REFERENCES orders (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
]


def migrate(db, log) -> None:
    def apply(tx):
        for statement in STATEMENTS:
            tx.query(statement)

    db.exclusive("shop-schema", apply)
    log.info("schema ready", statements=len(STATEMENTS))
