-- SQLite re-keys ad_stats by (date, campaign) in this migration; PostgreSQL keeps its
-- heap table with the (campaign_id, date) key and date index, which serve the same queries.
SELECT 1;
