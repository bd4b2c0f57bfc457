-- A department set up by hand (no demo): the company above it, the list of positions,
-- teams that can be archived, people who leave, the teams a person was in over time,
-- and the one-time links through which a person sets their own password.

-- The company: one row, written by the first-run setup.
CREATE TABLE company (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    fiscal_year_start_month INTEGER NOT NULL CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
    locale TEXT NOT NULL CHECK (locale IN ('ru', 'en')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE positions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
INSERT INTO positions (name, created_at)
    SELECT DISTINCT position, 0 FROM employees WHERE position <> '' ORDER BY position;

ALTER TABLE teams ADD COLUMN archived_at INTEGER;

-- The last day a person worked here; set when they leave, emptied when they return.
ALTER TABLE employees ADD COLUMN last_day TEXT;

-- Which team a person was in when: [valid_from, valid_until), NULL for "since the start"
-- and "still". A team's figures for a period are its members' figures while they were in it.
CREATE TABLE team_memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    valid_from TEXT,
    valid_until TEXT,
    -- The staff import that opened it, if one did (rolled back with it).
    import_id INTEGER REFERENCES imports (id),
    created_at INTEGER NOT NULL,
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)
);
CREATE INDEX team_memberships_team ON team_memberships (team_id);
CREATE INDEX team_memberships_employee ON team_memberships (employee_id);
INSERT INTO team_memberships (employee_id, team_id, valid_from, valid_until, created_at)
    SELECT id, team_id, NULL, NULL, created_at FROM employees WHERE team_id IS NOT NULL;

-- A one-time link to set one's password: only the token's SHA-256 is kept.
CREATE TABLE password_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX password_links_user ON password_links (user_id);

-- What a staff import (preset mkpi-employees) added, so that rolling it back removes it.
ALTER TABLE employees ADD COLUMN import_id INTEGER REFERENCES imports (id);
ALTER TABLE teams ADD COLUMN import_id INTEGER REFERENCES imports (id);
ALTER TABLE users ADD COLUMN import_id INTEGER REFERENCES imports (id);

-- Anonymous answers (peers', clients') leave no entry of their own in the audit log, whose
-- second and subject could be lined up with other entries: a count per cycle and day is kept.
CREATE TABLE review_answer_counts (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id),
    day TEXT NOT NULL,
    answers INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, day)
);
