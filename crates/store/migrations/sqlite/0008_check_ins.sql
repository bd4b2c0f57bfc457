-- Check-ins: progress updates on a KPI with a confidence level and a comment; and 1:1
-- notes between a manager and a report, private to the pair unless shared.
CREATE TABLE check_ins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kpi_id INTEGER NOT NULL REFERENCES kpis (id),
    author_user_id INTEGER NOT NULL REFERENCES users (id),
    author_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    confidence INTEGER NOT NULL CHECK (confidence BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    value DOUBLE PRECISION
);
CREATE INDEX check_ins_kpi ON check_ins (kpi_id, at);

CREATE TABLE one_on_ones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    manager_employee_id INTEGER NOT NULL REFERENCES employees (id),
    held_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    next_steps TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    created_by_user_id INTEGER REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX one_on_ones_employee ON one_on_ones (employee_id, held_on);
