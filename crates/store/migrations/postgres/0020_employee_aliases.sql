-- How other tools name a person: an import from Toggl, Jira or a CRM that names someone
-- mkpi does not know is answered once (this is that employee), and the answer is kept per
-- source (the import's preset), so the next file from the same tool just works.
CREATE TABLE employee_aliases (
    source TEXT NOT NULL,
    -- The name or e-mail as the tool writes it, lower-cased.
    alias TEXT NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    -- The import whose answer made it (rolled back with it).
    import_id BIGINT REFERENCES imports (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (source, alias)
);
CREATE INDEX employee_aliases_employee ON employee_aliases (employee_id);
