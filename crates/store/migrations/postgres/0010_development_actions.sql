-- Development actions: what a manager plans for a person who needs support (or who
-- should grow further): training, mentoring, a stretch assignment, with an owner, a due
-- date and a status, linked to the KPI or flag that called for it.
CREATE TABLE development_actions (
    id BIGSERIAL PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    kind TEXT NOT NULL CHECK (kind IN ('training', 'mentoring', 'coaching', 'stretch_assignment', 'other')),
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    kpi_id BIGINT REFERENCES kpis (id),
    flag TEXT CHECK (flag IN ('top_performer', 'needs_support')),
    owner_employee_id BIGINT REFERENCES employees (id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    completed_on TEXT,
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX development_actions_employee ON development_actions (employee_id, due_on);
