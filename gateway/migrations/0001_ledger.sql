-- The payment ledger: one row per payment, and an append-only record of its steps.
-- Written once for SQLite and PostgreSQL alike (the gateway reaches both through sqlx::any).

CREATE TABLE payments (
    payment_id   TEXT PRIMARY KEY,          -- MyQ X's payment id
    intent_key   TEXT NOT NULL UNIQUE,      -- the widget's intent key: one payment per top-up asked for
    user_id      BIGINT NOT NULL,           -- MyQ X's user id of the account credited
    username     TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    role         TEXT NOT NULL CHECK (role IN ('student', 'operator')),
    actor        TEXT NOT NULL,             -- who asked: the student, or the operator
    state        TEXT NOT NULL CHECK (state IN
                     ('created', 'charging', 'charged', 'declined', 'credited', 'rolled_back')),
    charge_id    TEXT,                      -- the billing service's charge
    reason       TEXT,                      -- why declined or rolled back
    created_at   BIGINT NOT NULL,           -- unix milliseconds
    updated_at   BIGINT NOT NULL
);

CREATE INDEX payments_by_user ON payments (user_id, created_at);
CREATE INDEX payments_by_state ON payments (state, created_at);
CREATE INDEX payments_by_actor ON payments (actor, created_at);

-- Each step at most once per payment: a payment is charged at most once and credited at most
-- once, whatever retries or concurrent requests do.
CREATE TABLE steps (
    payment_id TEXT NOT NULL REFERENCES payments (payment_id),
    step       TEXT NOT NULL,
    at         BIGINT NOT NULL,
    detail     TEXT,
    UNIQUE (payment_id, step)
);

CREATE INDEX steps_by_time ON steps (at);
