-- Check-ins and 1:1 notes can be changed by their author; a change made more than a day
-- after the note was written is shown as an edit, from this moment.
ALTER TABLE check_ins ADD COLUMN edited_at BIGINT;
ALTER TABLE one_on_ones ADD COLUMN edited_at BIGINT;
