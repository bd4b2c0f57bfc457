-- Goals cascade from the department's strategic goals to teams and people. A goal is
-- measured by a metric (its value computed for the goal's scope over its dates) or by a
-- unit counted by hand, from a baseline to a target; parents roll up their children by
-- weight. Drafts may fail the SMART check; activating one may not.
CREATE TABLE goals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- department, team:ID or employee:ID (the words of the metric API).
    scope TEXT NOT NULL,
    parent_id INTEGER REFERENCES goals (id),
    business_goal TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_employee_id INTEGER REFERENCES employees (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'done', 'cancelled')),
    weight DOUBLE PRECISION NOT NULL CHECK (weight > 0),
    metric_code TEXT,
    unit TEXT,
    baseline DOUBLE PRECISION,
    target DOUBLE PRECISION,
    -- Resources: budget (minor units), people, hours.
    budget_minor BIGINT,
    currency TEXT,
    people BIGINT,
    hours DOUBLE PRECISION,
    start_on TEXT,
    deadline_on TEXT,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX goals_parent ON goals (parent_id);
CREATE INDEX goals_scope ON goals (scope, start_on);

-- The history of a goal's progress: updates by hand (a counted value or a share done,
-- with a note) and a daily snapshot of computed progress.
CREATE TABLE goal_progress (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    goal_id INTEGER NOT NULL REFERENCES goals (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('manual', 'snapshot')),
    value DOUBLE PRECISION,
    progress DOUBLE PRECISION,
    note TEXT NOT NULL,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_progress_goal ON goal_progress (goal_id, day);
-- One snapshot per goal and day, whichever server takes it.
CREATE UNIQUE INDEX goal_progress_snapshot ON goal_progress (goal_id, day) WHERE kind = 'snapshot';

-- Strategies (campaigns, product improvements, new markets…) and the goals they serve;
-- a campaign may be linked to a strategy and a goal.
CREATE TABLE strategies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('campaigns', 'product', 'new_market', 'pricing', 'brand', 'partnerships', 'other')),
    description TEXT NOT NULL,
    owner_employee_id INTEGER REFERENCES employees (id),
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE strategy_goals (
    strategy_id INTEGER NOT NULL REFERENCES strategies (id),
    goal_id INTEGER NOT NULL REFERENCES goals (id),
    PRIMARY KEY (strategy_id, goal_id)
);
CREATE INDEX strategy_goals_goal ON strategy_goals (goal_id);
ALTER TABLE campaigns ADD COLUMN strategy_id INTEGER REFERENCES strategies (id);
ALTER TABLE campaigns ADD COLUMN goal_id INTEGER REFERENCES goals (id);

-- SWOT of the department per period: each entry with a note and optional evidence.
CREATE TABLE swot_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    quadrant TEXT NOT NULL CHECK (quadrant IN ('strength', 'weakness', 'opportunity', 'threat')),
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    metric_code TEXT,
    campaign_id INTEGER REFERENCES campaigns (id),
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX swot_entries_period ON swot_entries (period_from, period_to);

-- Tasks made in mkpi live beside those imported from trackers, so one model (and one set
-- of task measures) covers both: each task gets a number for links, an import only when
-- it came from one, the goal it serves, its description, budget, and the manager's
-- rating comment. SQLite changes a column's NOT NULL only by rebuilding the table.
CREATE TABLE tasks_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_key TEXT NOT NULL UNIQUE,
    task TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT,
    status TEXT NOT NULL,
    assignee_employee_id INTEGER REFERENCES employees (id),
    priority TEXT,
    created TEXT,
    start TEXT,
    due TEXT,
    completed TEXT,
    estimate_hours REAL,
    spent_hours REAL,
    campaign_id INTEGER REFERENCES campaigns (id),
    project TEXT,
    import_id INTEGER REFERENCES imports (id),
    quality INTEGER CHECK (quality BETWEEN 1 AND 5),
    goal_id INTEGER REFERENCES goals (id),
    description TEXT,
    budget_minor BIGINT,
    currency TEXT,
    quality_comment TEXT,
    rated_by_user_id INTEGER REFERENCES users (id),
    created_by_user_id INTEGER REFERENCES users (id),
    updated_at BIGINT
);
INSERT INTO tasks_new (row_key, task, title, kind, status, assignee_employee_id, priority, created, start,
                       due, completed, estimate_hours, spent_hours, campaign_id, project, import_id, quality)
SELECT row_key, task, title, kind, status, assignee_employee_id, priority, created, start,
       due, completed, estimate_hours, spent_hours, campaign_id, project, import_id, quality
FROM tasks ORDER BY row_key;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_assignee_employee_id ON tasks (assignee_employee_id);
CREATE INDEX tasks_campaign_id ON tasks (campaign_id);
CREATE INDEX tasks_import ON tasks (import_id);
CREATE INDEX tasks_goal ON tasks (goal_id);

-- Time logged on a task in mkpi is a time entry without an import.
CREATE TABLE time_entries_new (
    row_key TEXT PRIMARY KEY,
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    date TEXT NOT NULL,
    start TEXT,
    hours REAL NOT NULL,
    campaign_id INTEGER REFERENCES campaigns (id),
    task TEXT,
    project TEXT,
    description TEXT,
    import_id INTEGER REFERENCES imports (id)
);
INSERT INTO time_entries_new SELECT row_key, employee_id, date, start, hours, campaign_id, task, project,
                                    description, import_id FROM time_entries;
DROP TABLE time_entries;
ALTER TABLE time_entries_new RENAME TO time_entries;
CREATE INDEX time_entries_employee_id ON time_entries (employee_id, date);
CREATE INDEX time_entries_campaign_id ON time_entries (campaign_id);
CREATE INDEX time_entries_import ON time_entries (import_id);
CREATE INDEX time_entries_task ON time_entries (task);
