-- Evaluation: the competency framework, review cycles with their people, who rates whom,
-- and the answers. Peer and client answers carry no rater and no time, so nothing stored
-- next to them ties an answer to its author; the raters' rows say only who was asked and
-- whether they answered.
CREATE TABLE competencies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    -- JSON arrays: what a low, middle and high rating look like.
    levels_en TEXT NOT NULL,
    levels_ru TEXT NOT NULL,
    position BIGINT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE review_cycles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'calibration', 'released', 'closed')),
    self_due TEXT NOT NULL,
    nomination_due TEXT NOT NULL,
    assessment_due TEXT NOT NULL,
    calibration_due TEXT NOT NULL,
    scale_min BIGINT NOT NULL,
    scale_max BIGINT NOT NULL,
    anonymity_threshold BIGINT NOT NULL CHECK (anonymity_threshold >= 3),
    min_peers BIGINT NOT NULL,
    max_peers BIGINT NOT NULL,
    -- The score formula as JSON, versioned with the cycle.
    formula TEXT NOT NULL,
    formula_version BIGINT NOT NULL,
    recurrence TEXT NOT NULL CHECK (recurrence IN ('none', 'quarterly', 'half_yearly', 'yearly')),
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE review_participants (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    PRIMARY KEY (cycle_id, employee_id)
);

CREATE TABLE review_competencies (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    competency_id INTEGER NOT NULL REFERENCES competencies (id),
    PRIMARY KEY (cycle_id, competency_id)
);

CREATE TABLE review_raters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    perspective TEXT NOT NULL CHECK (perspective IN ('self', 'manager', 'peer', 'client')),
    rater_employee_id INTEGER REFERENCES employees (id),
    client_name TEXT,
    client_email TEXT,
    status TEXT NOT NULL CHECK (status IN ('nominated', 'approved', 'declined', 'submitted')),
    nominated_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX review_raters_one ON review_raters (cycle_id, employee_id, perspective, rater_employee_id);
CREATE INDEX review_raters_rater ON review_raters (rater_employee_id, cycle_id);

CREATE TABLE review_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    perspective TEXT NOT NULL CHECK (perspective IN ('self', 'manager', 'peer', 'client')),
    -- Only for the named perspectives (self, manager).
    rater_employee_id INTEGER REFERENCES employees (id),
    -- None for the overall comment.
    competency_id INTEGER REFERENCES competencies (id),
    rating BIGINT,
    comment TEXT NOT NULL,
    CHECK (perspective IN ('self', 'manager') OR rater_employee_id IS NULL)
);
CREATE INDEX review_answers_person ON review_answers (cycle_id, employee_id, perspective);
