-- The metric system: custom metrics an admin defines, every version kept (a value is
-- always computed by a known definition), and the manager's quality rating of a task.
CREATE TABLE metric_definitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    formula TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction TEXT NOT NULL,
    description TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (code, version)
);

ALTER TABLE tasks ADD COLUMN quality INTEGER CHECK (quality BETWEEN 1 AND 5);
