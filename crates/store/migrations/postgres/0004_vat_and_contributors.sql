-- Whether an ad platform's spend includes VAT (1), excludes it (0) or is not known (NULL).
ALTER TABLE ad_stats ADD COLUMN vat_included BIGINT;

-- People who share in a campaign's results besides its owner, with their share in basis
-- points (3000 = 30%); the owner has what is left.
CREATE TABLE campaign_contributors (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    share_bp BIGINT NOT NULL CHECK (share_bp > 0 AND share_bp <= 10000),
    PRIMARY KEY (campaign_id, employee_id)
);
