-- Marks say how late a client was or how long they stayed (minutes), and why they were
-- excused (reason, staff only).
ALTER TABLE attendance_marks
  ADD COLUMN minutes integer CHECK (minutes BETWEEN 0 AND 1440),
  ADD COLUMN reason  text CHECK (length(reason) <= 500);
