-- Ad statistics kept in date order (WITHOUT ROWID, keyed by date then campaign): exports
-- arrive day by day, so a first import appends at the end of one B-tree instead of
-- inserting all over a campaign-ordered index, and a period's rows sit together for the
-- metrics that read them by month. The separate date index is no longer needed.
CREATE TABLE ad_stats_by_date (
    date TEXT NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_minor INTEGER NOT NULL,
    conversions REAL,
    conversion_value_minor INTEGER,
    currency TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    vat_included INTEGER,
    PRIMARY KEY (date, campaign_id)
) WITHOUT ROWID;
INSERT INTO ad_stats_by_date (date, campaign_id, impressions, clicks, spend_minor, conversions,
                              conversion_value_minor, currency, import_id, vat_included)
SELECT date, campaign_id, impressions, clicks, spend_minor, conversions, conversion_value_minor,
       currency, import_id, vat_included
FROM ad_stats;
DROP TABLE ad_stats;
ALTER TABLE ad_stats_by_date RENAME TO ad_stats;
CREATE INDEX ad_stats_import ON ad_stats (import_id);
