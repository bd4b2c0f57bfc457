-- Evaluation, continued: single-use links for clients, calibration moves with their reasons,
-- the manager's view of potential, the person's acknowledgement, reminders sent, per-position
-- competency weights, and development actions tied to a competency.

-- A client's link: only the hash of the token is kept; it opens one assessment once.
CREATE TABLE review_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rater_id INTEGER NOT NULL UNIQUE REFERENCES review_raters (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- A calibration move of a final score, in points of the 0–1 score, with the reason.
CREATE TABLE review_adjustments (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    delta DOUBLE PRECISION NOT NULL CHECK (delta >= -1 AND delta <= 1),
    reason TEXT NOT NULL,
    by_user_id INTEGER REFERENCES users (id),
    at BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, employee_id)
);

-- The manager's rating of a person's potential on the cycle's scale (the 9-box's other axis).
CREATE TABLE review_potential (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    rating BIGINT NOT NULL,
    by_user_id INTEGER REFERENCES users (id),
    at BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, employee_id)
);

-- The person has read their released results, with what they answer.
CREATE TABLE review_acknowledgements (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    comment TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, employee_id)
);

-- Which reminder went to whom, so each goes once.
CREATE TABLE review_reminders (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    phase TEXT NOT NULL,
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    at BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, phase, employee_id)
);

-- A competency's weight for one position (1 where none is given).
CREATE TABLE competency_weights (
    competency_id INTEGER NOT NULL REFERENCES competencies (id),
    position TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (competency_id, position)
);

-- When the results are to be shared with the people (the last phase).
ALTER TABLE review_cycles ADD COLUMN release_due TEXT;

-- The cycle a recurring cycle was made from.
ALTER TABLE review_cycles ADD COLUMN previous_cycle_id INTEGER REFERENCES review_cycles (id);

ALTER TABLE development_actions ADD COLUMN competency_code TEXT;
ALTER TABLE development_actions ADD COLUMN cycle_id INTEGER REFERENCES review_cycles (id);
