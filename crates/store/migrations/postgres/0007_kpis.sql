-- KPIs: a metric with targets for a scope and a period, weighted among the scope's KPIs.
-- Targets may change within the period (e.g. one per month); each holds floor, target
-- and stretch bands.
CREATE TABLE kpis (
    id BIGSERIAL PRIMARY KEY,
    metric_code TEXT NOT NULL,
    scope TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    cap DOUBLE PRECISION NOT NULL,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX kpis_scope ON kpis (scope, period_from);

CREATE TABLE kpi_targets (
    kpi_id BIGINT NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    floor DOUBLE PRECISION,
    target DOUBLE PRECISION NOT NULL,
    stretch DOUBLE PRECISION,
    PRIMARY KEY (kpi_id, period_from)
);
