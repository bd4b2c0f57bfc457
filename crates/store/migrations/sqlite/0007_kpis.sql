-- KPIs: a metric with targets for a scope and a period, weighted among the scope's KPIs.
-- Targets may change within the period (e.g. one per month); each holds floor, target
-- and stretch bands.
CREATE TABLE kpis (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    metric_code TEXT NOT NULL,
    scope TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    weight REAL NOT NULL,
    cap REAL NOT NULL,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX kpis_scope ON kpis (scope, period_from);

CREATE TABLE kpi_targets (
    kpi_id INTEGER NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    floor REAL,
    target REAL NOT NULL,
    stretch REAL,
    PRIMARY KEY (kpi_id, period_from)
);
