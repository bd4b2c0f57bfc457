-- The foundation: the organisation (departments, teams, employees), accounts, sessions, API tokens, sign-in attempts and the audit log.
CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    parent_id INTEGER REFERENCES teams (id),
    manager_id INTEGER REFERENCES employees (id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (department_id, name)
);

CREATE TABLE employees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    team_id INTEGER REFERENCES teams (id),
    manager_id INTEGER REFERENCES employees (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    position TEXT NOT NULL,
    hire_date TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX employees_team ON employees (team_id);
CREATE INDEX employees_manager ON employees (manager_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'head', 'manager', 'employee', 'viewer')),
    employee_id INTEGER UNIQUE REFERENCES employees (id),
    locale TEXT CHECK (locale IN ('ru', 'en')),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    password_changed_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- id_hash is the SHA-256 of the cookie value: a copy of this table opens no session.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL,
    ip TEXT NOT NULL,
    at INTEGER NOT NULL,
    success INTEGER NOT NULL CHECK (success IN (0, 1))
);
CREATE INDEX login_attempts_login_at ON login_attempts (login, at);
CREATE INDEX login_attempts_ip_at ON login_attempts (ip, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);
