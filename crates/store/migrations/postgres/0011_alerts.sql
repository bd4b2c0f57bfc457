-- Alerts: a KPI going off track, or moving by more than its set share week over week,
-- recorded once per change of state, shown in the UI and mailed through an outbox that
-- any server may deliver.
ALTER TABLE kpis ADD COLUMN alert_change_pct DOUBLE PRECISION;

CREATE TABLE kpi_alert_states (
    kpi_id BIGINT PRIMARY KEY REFERENCES kpis (id),
    status TEXT NOT NULL,
    change_exceeded INTEGER NOT NULL DEFAULT 0,
    checked_at BIGINT NOT NULL
);

CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    kpi_id BIGINT NOT NULL REFERENCES kpis (id),
    kind TEXT NOT NULL CHECK (kind IN ('off_track', 'change')),
    at BIGINT NOT NULL,
    window_from TEXT NOT NULL,
    window_to TEXT NOT NULL,
    value DOUBLE PRECISION,
    target DOUBLE PRECISION,
    forecast DOUBLE PRECISION,
    previous DOUBLE PRECISION,
    change DOUBLE PRECISION,
    -- Of money values, when the KPI's value has one.
    currency TEXT
);
CREATE INDEX alerts_at ON alerts (at);
CREATE INDEX alerts_kpi ON alerts (kpi_id, at);

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
