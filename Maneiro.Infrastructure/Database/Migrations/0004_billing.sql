-- Stripe webhook deliveries are at-least-once: each event id is recorded so a repeat changes nothing.
CREATE TABLE IF NOT EXISTS stripe_events (
    id           text        PRIMARY KEY,
    type         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz NULL
);

-- Which of our users a Stripe customer belongs to (learned from checkout.session.completed).
CREATE TABLE IF NOT EXISTS stripe_customers (
    customer_id text        PRIMARY KEY,
    user_id     text        NOT NULL,
    linked_at   timestamptz NOT NULL DEFAULT now()
);
