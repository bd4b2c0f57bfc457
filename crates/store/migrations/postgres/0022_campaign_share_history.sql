-- A campaign's owner and contributors change from a day on, and what they were before is
-- kept: `campaigns.shares_from` is the first day of the current owner and contributors
-- (NULL: since the start), `campaign_share_history` holds the earlier ones, each for
-- [valid_from, valid_until). A person's and a team's campaign results for a day are read
-- from the shares in force that day, so a change of owner never moves earlier figures.
ALTER TABLE campaigns ADD COLUMN shares_from TEXT;

CREATE TABLE campaign_share_history (
    id BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    -- The owner has what the contributors did not (possibly nothing).
    is_owner SMALLINT NOT NULL CHECK (is_owner IN (0, 1)),
    share_bp BIGINT NOT NULL CHECK (share_bp >= 0 AND share_bp <= 10000),
    valid_from TEXT,
    valid_until TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (valid_from IS NULL OR valid_from < valid_until)
);
CREATE INDEX campaign_share_history_campaign ON campaign_share_history (campaign_id);
CREATE INDEX campaign_share_history_employee ON campaign_share_history (employee_id);
