-- Competitors' figures entered or imported for a month: their share of voice (0–1), their
-- average price, their estimated monthly visits. One value per competitor, kind and month:
-- a re-import replaces it.
CREATE TABLE competitor_benchmarks (
    id BIGSERIAL PRIMARY KEY,
    competitor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('share_of_voice', 'price', 'traffic')),
    month TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (competitor, kind, month)
);

-- A read-only link to a report for people without an account. Only the token's hash is
-- kept; the link shows the report as its creator would see it, without people's names.
CREATE TABLE report_shares (
    id BIGSERIAL PRIMARY KEY,
    definition_id BIGINT NOT NULL REFERENCES report_definitions (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- A report sent by e-mail every day, week or month, as its creator would see it.
CREATE TABLE report_schedules (
    id BIGSERIAL PRIMARY KEY,
    definition_id BIGINT NOT NULL REFERENCES report_definitions (id),
    frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    -- JSON array of addresses.
    recipients TEXT NOT NULL,
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    next_run_at BIGINT NOT NULL,
    last_run_at BIGINT,
    active BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX report_schedules_due ON report_schedules (active, next_run_at);

-- A message may carry one file (a report's PDF), base64 in text so both backends keep it alike.
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment TEXT;
