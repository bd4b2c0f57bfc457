-- Report definitions: what a report is for, which metrics of which scope over which period
-- (fixed, or rolling: the last full month, quarter or year), compared with what, and which
-- sections it holds.
CREATE TABLE report_definitions (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    -- JSON array of metric codes.
    metrics TEXT NOT NULL,
    scope TEXT NOT NULL,
    period_kind TEXT NOT NULL CHECK (period_kind IN ('fixed', 'last_month', 'last_quarter', 'last_year')),
    period_from TEXT,
    period_to TEXT,
    compare TEXT NOT NULL CHECK (compare IN ('previous', 'year', 'target')),
    -- JSON array of section codes.
    sections TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('ru', 'en')),
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
