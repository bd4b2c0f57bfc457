-- Goals cascade from the department's strategic goals to teams and people. A goal is
-- measured by a metric (its value computed for the goal's scope over its dates) or by a
-- unit counted by hand, from a baseline to a target; parents roll up their children by
-- weight. Drafts may fail the SMART check; activating one may not.
CREATE TABLE goals (
    id BIGSERIAL PRIMARY KEY,
    -- department, team:ID or employee:ID (the words of the metric API).
    scope TEXT NOT NULL,
    parent_id BIGINT REFERENCES goals (id),
    business_goal TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_employee_id BIGINT REFERENCES employees (id),
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
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX goals_parent ON goals (parent_id);
CREATE INDEX goals_scope ON goals (scope, start_on);

-- The history of a goal's progress: updates by hand (a counted value or a share done,
-- with a note) and a daily snapshot of computed progress.
CREATE TABLE goal_progress (
    id BIGSERIAL PRIMARY KEY,
    goal_id BIGINT NOT NULL REFERENCES goals (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('manual', 'snapshot')),
    value DOUBLE PRECISION,
    progress DOUBLE PRECISION,
    note TEXT NOT NULL,
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_progress_goal ON goal_progress (goal_id, day);
-- One snapshot per goal and day, whichever server takes it.
CREATE UNIQUE INDEX goal_progress_snapshot ON goal_progress (goal_id, day) WHERE kind = 'snapshot';

-- Strategies (campaigns, product improvements, new markets…) and the goals they serve;
-- a campaign may be linked to a strategy and a goal.
CREATE TABLE strategies (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('campaigns', 'product', 'new_market', 'pricing', 'brand', 'partnerships', 'other')),
    description TEXT NOT NULL,
    owner_employee_id BIGINT REFERENCES employees (id),
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE strategy_goals (
    strategy_id BIGINT NOT NULL REFERENCES strategies (id),
    goal_id BIGINT NOT NULL REFERENCES goals (id),
    PRIMARY KEY (strategy_id, goal_id)
);
CREATE INDEX strategy_goals_goal ON strategy_goals (goal_id);
ALTER TABLE campaigns ADD COLUMN strategy_id BIGINT REFERENCES strategies (id);
ALTER TABLE campaigns ADD COLUMN goal_id BIGINT REFERENCES goals (id);

-- SWOT of the department per period: each entry with a note and optional evidence.
CREATE TABLE swot_entries (
    id BIGSERIAL PRIMARY KEY,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    quadrant TEXT NOT NULL CHECK (quadrant IN ('strength', 'weakness', 'opportunity', 'threat')),
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    metric_code TEXT,
    campaign_id BIGINT REFERENCES campaigns (id),
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX swot_entries_period ON swot_entries (period_from, period_to);

-- Tasks made in mkpi live beside those imported from trackers, so one model (and one set
-- of task measures) covers both: each task gets a number for links, an import only when
-- it came from one, the goal it serves, its description, budget, and the manager's
-- rating comment.
ALTER TABLE tasks ADD COLUMN id BIGSERIAL UNIQUE;
ALTER TABLE tasks ALTER COLUMN import_id DROP NOT NULL;
ALTER TABLE tasks ADD COLUMN goal_id BIGINT REFERENCES goals (id);
ALTER TABLE tasks ADD COLUMN description TEXT;
ALTER TABLE tasks ADD COLUMN budget_minor BIGINT;
ALTER TABLE tasks ADD COLUMN currency TEXT;
ALTER TABLE tasks ADD COLUMN quality_comment TEXT;
ALTER TABLE tasks ADD COLUMN rated_by_user_id BIGINT REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN created_by_user_id BIGINT REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN updated_at BIGINT;
CREATE INDEX tasks_goal ON tasks (goal_id);

-- Time logged on a task in mkpi is a time entry without an import.
ALTER TABLE time_entries ALTER COLUMN import_id DROP NOT NULL;
CREATE INDEX time_entries_task ON time_entries (task);
