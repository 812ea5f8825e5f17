-- Marks say how late a client was or how long they stayed (minutes), and why they were
-- excused (reason, staff only).
ALTER TABLE attendance_marks
  ADD COLUMN minutes integer CHECK (minutes BETWEEN 0 AND 1440),
  ADD COLUMN reason  text CHECK (length(reason) <= 500);

-- A client may check in by SMS (a keyword texted around the session's start): source 'sms'.
-- Staff overrule it with a mark of their own (the latest counts).
ALTER TABLE attendance_marks DROP CONSTRAINT attendance_marks_source_check;
ALTER TABLE attendance_marks ADD CONSTRAINT attendance_marks_source_check CHECK (source IN ('staff', 'auto', 'sms'));
