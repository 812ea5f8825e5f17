-- Scheduling in depth, part 1: site contact details, each site's slot catalogue, closures,
-- and a group's level of care, capacity, room and telehealth link.

ALTER TABLE sites
  ADD COLUMN address text NOT NULL DEFAULT '',
  ADD COLUMN phone   text NOT NULL DEFAULT '';

-- The default local times of each slot at a site; groups take them unless they say otherwise.
CREATE TABLE site_slots (
  site_id       bigint NOT NULL REFERENCES sites (id),
  slot          text NOT NULL CHECK (slot IN ('morning', 'afternoon', 'evening')),
  start_second  integer NOT NULL CHECK (start_second BETWEEN 0 AND 86399),
  end_second    integer NOT NULL CHECK (end_second > start_second AND end_second <= 86400),
  PRIMARY KEY (site_id, slot)
);
INSERT INTO site_slots (site_id, slot, start_second, end_second)
SELECT s.id, d.slot, d.start_second, d.end_second
FROM sites s
CROSS JOIN (VALUES ('morning', 32400, 43200), ('afternoon', 46800, 57600), ('evening', 64800, 75600))
  AS d (slot, start_second, end_second);

-- Days a site is closed. The reason is for staff only: it is never sent to clients.
CREATE TABLE site_closures (
  id          bigserial PRIMARY KEY,
  site_id     bigint NOT NULL REFERENCES sites (id),
  first_date  date NOT NULL,
  last_date   date NOT NULL CHECK (last_date >= first_date),
  reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX site_closures_site ON site_closures (site_id, first_date);

ALTER TABLE groups
  ADD COLUMN level_of_care   text NOT NULL DEFAULT 'iop' CHECK (level_of_care IN ('php', 'iop', 'op', 'aftercare')),
  ADD COLUMN capacity        integer CHECK (capacity BETWEEN 1 AND 1000),
  ADD COLUMN room            text NOT NULL DEFAULT '',
  ADD COLUMN telehealth_url  text NOT NULL DEFAULT '';

ALTER TABLE sessions ADD COLUMN cancel_reason text;
