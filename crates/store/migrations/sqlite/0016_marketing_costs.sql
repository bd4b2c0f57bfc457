-- Marketing costs besides ad spend (salaries, agencies, tools, content, events): what blended
-- CAC adds to the ad spend. Stored the generic way: the natural key as row_key, the import
-- that last wrote the row.
CREATE TABLE marketing_costs (
    row_key TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    channel TEXT,
    campaign_id INTEGER REFERENCES campaigns (id),
    description TEXT,
    import_id INTEGER NOT NULL REFERENCES imports (id)
);
CREATE INDEX marketing_costs_date ON marketing_costs (date);
CREATE INDEX marketing_costs_campaign_id ON marketing_costs (campaign_id);
CREATE INDEX marketing_costs_import ON marketing_costs (import_id);
