-- A strategy that no longer runs is archived: kept with its links, left out of the choices.
ALTER TABLE strategies ADD COLUMN archived_at BIGINT;
