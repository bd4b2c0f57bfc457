-- Data collection begins: the record of every import, campaigns, their daily ad statistics, and what an import replaced so it can be rolled back.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id),
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    file_hash TEXT,
    preset TEXT NOT NULL,
    fact TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_added INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    rows_unchanged INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'rolled_back')),
    rolled_back_at INTEGER
);
CREATE INDEX imports_fact ON imports (fact, id);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    platform TEXT,
    channel TEXT,
    owner_employee_id INTEGER REFERENCES employees (id),
    budget_minor INTEGER,
    currency TEXT,
    start_date TEXT,
    end_date TEXT,
    import_id INTEGER REFERENCES imports (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX campaigns_owner ON campaigns (owner_employee_id);

CREATE TABLE ad_stats (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    date TEXT NOT NULL,
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_minor INTEGER NOT NULL,
    conversions REAL,
    conversion_value_minor INTEGER,
    currency TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (campaign_id, date)
);
CREATE INDEX ad_stats_date ON ad_stats (date);
CREATE INDEX ad_stats_import ON ad_stats (import_id);

-- The previous state of each row an import changed (rows it added have none).
CREATE TABLE import_revisions (
    import_id INTEGER NOT NULL REFERENCES imports (id),
    fact TEXT NOT NULL,
    row_key TEXT NOT NULL,
    previous TEXT NOT NULL,
    PRIMARY KEY (import_id, fact, row_key)
);
