-- Customer lookups read (customer, status, date); with status first the index looked
-- selective for "status = 'paid'" alone, and the planner read a month of orders through it
-- (every paid order) instead of the date index. Customer first, it serves only lookups.
DROP INDEX orders_paid_by_customer;
DROP INDEX orders_customer_id;
CREATE INDEX orders_by_customer ON orders (customer_id, status, date);

-- Roll-ups kept by every import and rollback in the same transaction, so the department's
-- and channels' figures read a few rows per day instead of every fact: ad statistics and
-- paid orders per day, channel (the campaign's, or the order's own; '' for none) and
-- currency; and each customer's first and second paid order days.
CREATE TABLE ad_stats_by_day (
    date TEXT NOT NULL,
    channel TEXT NOT NULL,
    currency TEXT NOT NULL,
    impressions BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    spend_minor BIGINT NOT NULL,
    conversions DOUBLE PRECISION NOT NULL,
    conversion_value_minor BIGINT NOT NULL,
    -- Spend of campaigns with a budget and both run dates (what budget utilisation divides).
    budgeted_spend_minor BIGINT NOT NULL,
    PRIMARY KEY (date, channel, currency)
);

-- Ad statistics per campaign and calendar month (YYYY-MM): campaigns ranked over whole months.
CREATE TABLE ad_stats_by_campaign_month (
    month TEXT NOT NULL,
    campaign_id BIGINT NOT NULL,
    impressions BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    spend_minor BIGINT NOT NULL,
    conversions DOUBLE PRECISION NOT NULL,
    conversion_value_minor BIGINT NOT NULL,
    PRIMARY KEY (month, campaign_id)
);
CREATE INDEX ad_stats_by_campaign_month_spend ON ad_stats_by_campaign_month (month, spend_minor);

-- Campaign budgets spread evenly over the days of each run (start to end, both included).
CREATE TABLE budgets_by_day (
    date TEXT NOT NULL,
    channel TEXT NOT NULL,
    currency TEXT NOT NULL,
    budget_minor DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (date, channel, currency)
);

CREATE TABLE orders_by_day (
    date TEXT NOT NULL,
    channel TEXT NOT NULL,
    currency TEXT NOT NULL,
    orders BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (date, channel, currency)
);

CREATE TABLE customer_firsts (
    customer_id TEXT PRIMARY KEY,
    first_date TEXT NOT NULL,
    second_date TEXT
);
CREATE INDEX customer_firsts_first ON customer_firsts (first_date);
CREATE INDEX customer_firsts_second ON customer_firsts (second_date);

-- Databases that already hold facts start with their roll-ups filled.
INSERT INTO ad_stats_by_day (date, channel, currency, impressions, clicks, spend_minor, conversions,
                             conversion_value_minor, budgeted_spend_minor)
SELECT a.date, COALESCE(c.channel, ''), a.currency, SUM(a.impressions), SUM(a.clicks), SUM(a.spend_minor),
       CAST(COALESCE(SUM(a.conversions), 0) AS DOUBLE PRECISION), COALESCE(SUM(a.conversion_value_minor), 0),
       COALESCE(SUM(CASE WHEN c.budget_minor IS NOT NULL AND c.start_date IS NOT NULL AND c.end_date IS NOT NULL
                         THEN a.spend_minor ELSE 0 END), 0)
FROM ad_stats a JOIN campaigns c ON c.id = a.campaign_id
GROUP BY a.date, COALESCE(c.channel, ''), a.currency;

INSERT INTO ad_stats_by_campaign_month (month, campaign_id, impressions, clicks, spend_minor, conversions,
                                        conversion_value_minor)
SELECT substr(date, 1, 7), campaign_id, SUM(impressions), SUM(clicks), SUM(spend_minor),
       CAST(COALESCE(SUM(conversions), 0) AS DOUBLE PRECISION), COALESCE(SUM(conversion_value_minor), 0)
FROM ad_stats GROUP BY substr(date, 1, 7), campaign_id;

INSERT INTO orders_by_day (date, channel, currency, orders, amount_minor)
SELECT o.date, COALESCE(o.channel, c.channel, ''), o.currency, COUNT(*), SUM(o.amount_minor)
FROM orders o LEFT JOIN campaigns c ON c.id = o.campaign_id
WHERE o.status = 'paid'
GROUP BY o.date, COALESCE(o.channel, c.channel, ''), o.currency;

INSERT INTO customer_firsts (customer_id, first_date, second_date)
SELECT f.customer_id, f.first_date,
       (SELECT p.date FROM orders p WHERE p.customer_id = f.customer_id AND p.status = 'paid'
        ORDER BY p.date LIMIT 1 OFFSET 1)
FROM (SELECT customer_id, MIN(date) AS first_date FROM orders
      WHERE status = 'paid' AND customer_id IS NOT NULL GROUP BY customer_id) f;

-- budgets_by_day is filled by mkpi itself (a run's days are spread in Rust) on its first start.
CREATE TABLE rollup_state (
    name TEXT PRIMARY KEY,
    rows BIGINT NOT NULL
);
