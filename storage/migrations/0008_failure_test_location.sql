-- A failure's two locations: file/line is the fault (the innermost frame inside the repository), test_file/
-- test_line where the failing test asserted. Both repository-relative; NULL when the log does not say.
ALTER TABLE failures ADD COLUMN test_file TEXT, ADD COLUMN test_line INTEGER;
