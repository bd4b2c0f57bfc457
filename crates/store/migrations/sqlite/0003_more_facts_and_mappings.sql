-- The other facts of data collection, stored the same way: each row has its natural key (row_key) and the import that last wrote it; and the column mappings users save by name.

-- Web traffic per day per channel, source and medium.
CREATE TABLE web_traffic (
    row_key TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    channel TEXT NOT NULL,
    source TEXT NOT NULL,
    medium TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    users INTEGER,
    new_users INTEGER,
    conversions REAL,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX web_traffic_date ON web_traffic (date);
CREATE INDEX web_traffic_import ON web_traffic (import_id);

-- Orders and CRM deals; only paid ones are revenue.
CREATE TABLE orders (
    row_key TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    customer_id TEXT,
    date TEXT NOT NULL,
    created TEXT,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    campaign_id INTEGER REFERENCES campaigns (id),
    channel TEXT,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX orders_date ON orders (date);
CREATE INDEX orders_customer_id ON orders (customer_id);
CREATE INDEX orders_campaign_id ON orders (campaign_id);
CREATE INDEX orders_import ON orders (import_id);

-- When each lead reached each stage of the funnel.
CREATE TABLE lead_stages (
    row_key TEXT PRIMARY KEY,
    lead_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    at TEXT NOT NULL,
    customer_id TEXT,
    campaign_id INTEGER REFERENCES campaigns (id),
    channel TEXT,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX lead_stages_at ON lead_stages (at);
CREATE INDEX lead_stages_campaign_id ON lead_stages (campaign_id);
CREATE INDEX lead_stages_import ON lead_stages (import_id);

-- Survey answers: CSAT 1–5, NPS 0–10, aided and unaided brand awareness (0/1).
CREATE TABLE survey_responses (
    row_key TEXT PRIMARY KEY,
    response_id TEXT NOT NULL,
    date TEXT NOT NULL,
    segment TEXT,
    csat INTEGER,
    nps INTEGER,
    aware_aided INTEGER,
    aware_unaided INTEGER,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX survey_responses_date ON survey_responses (date);
CREATE INDEX survey_responses_import ON survey_responses (import_id);

-- Social accounts per day, ours (competitor empty) and competitors'.
CREATE TABLE social_stats (
    row_key TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    network TEXT NOT NULL,
    account TEXT NOT NULL,
    competitor TEXT,
    followers INTEGER,
    reach INTEGER,
    impressions INTEGER,
    likes INTEGER,
    comments INTEGER,
    shares INTEGER,
    saves INTEGER,
    mentions INTEGER,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX social_stats_date ON social_stats (date);
CREATE INDEX social_stats_import ON social_stats (import_id);

-- Hours people logged, per campaign or task.
CREATE TABLE time_entries (
    row_key TEXT PRIMARY KEY,
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    date TEXT NOT NULL,
    start TEXT,
    hours REAL NOT NULL,
    campaign_id INTEGER REFERENCES campaigns (id),
    task TEXT,
    project TEXT,
    description TEXT,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX time_entries_employee_id ON time_entries (employee_id, date);
CREATE INDEX time_entries_campaign_id ON time_entries (campaign_id);
CREATE INDEX time_entries_import ON time_entries (import_id);

-- Tasks, imported from trackers (and, later, made in mkpi).
CREATE TABLE tasks (
    row_key TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT,
    status TEXT NOT NULL,
    assignee_employee_id INTEGER REFERENCES employees (id),
    priority TEXT,
    created TEXT,
    start TEXT,
    due TEXT,
    completed TEXT,
    estimate_hours REAL,
    spent_hours REAL,
    campaign_id INTEGER REFERENCES campaigns (id),
    project TEXT,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX tasks_assignee_employee_id ON tasks (assignee_employee_id);
CREATE INDEX tasks_campaign_id ON tasks (campaign_id);
CREATE INDEX tasks_import ON tasks (import_id);

-- Column mappings saved by name (the TOML of a preset), for files no built-in preset reads.
CREATE TABLE mappings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    fact TEXT NOT NULL,
    toml TEXT NOT NULL,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
