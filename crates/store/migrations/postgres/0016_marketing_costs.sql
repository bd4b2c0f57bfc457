-- Marketing costs besides ad spend (salaries, agencies, tools, content, events): what blended
-- CAC adds to the ad spend. Stored the generic way: the natural key as row_key, the import
-- that last wrote the row.
CREATE TABLE marketing_costs (
    row_key TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    channel TEXT,
    campaign_id BIGINT REFERENCES campaigns (id),
    description TEXT,
    import_id BIGINT NOT NULL REFERENCES imports (id)
);
CREATE INDEX marketing_costs_date ON marketing_costs (date);
CREATE INDEX marketing_costs_campaign_id ON marketing_costs (campaign_id);
CREATE INDEX marketing_costs_import ON marketing_costs (import_id);

-- The cost of goods of an order (optional), for the gross margin and margin ROMI; the paid
-- orders' roll-up keeps the revenue of the orders that carry a cost and that cost.
ALTER TABLE orders ADD COLUMN cost_minor BIGINT;
ALTER TABLE orders_by_day ADD COLUMN costed_amount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders_by_day ADD COLUMN cost_minor BIGINT NOT NULL DEFAULT 0;

-- A survey answer may be about one campaign (a survey of its customers): the campaign's
-- satisfaction, and its people's.
ALTER TABLE survey_responses ADD COLUMN campaign_id BIGINT REFERENCES campaigns (id);
