-- Messaging in depth: per-client language, zone and channel consent; opt-outs by address;
-- channels, providers, provider receipts, fallbacks and dead letters on the outbox; replies
-- from clients (confirm / can't make it) and a content-free record of inbound messages.

-- The language of the client's messages, the zone quiet hours are kept in (NULL: the site's),
-- and whether the client agreed to messages on each channel (giving a number or an address for
-- reminders at intake is that agreement; staff turn it off when the client withdraws it).
ALTER TABLE clients
  ADD COLUMN language       text NOT NULL DEFAULT 'en' CHECK (language ~ '^[a-z]{2,3}$'),
  ADD COLUMN time_zone      text,
  ADD COLUMN sms_consent    boolean NOT NULL DEFAULT true,
  ADD COLUMN email_consent  boolean NOT NULL DEFAULT true;
ALTER TABLE family_contacts
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language ~ '^[a-z]{2,3}$');

-- Addresses that asked for no more messages on a channel (an SMS STOP, a provider's
-- "unsubscribed" error, or staff). Opting back in deletes the row; the audit log keeps both.
CREATE TABLE opt_outs (
  channel       text NOT NULL CHECK (channel IN ('sms', 'email')),
  address       text NOT NULL,
  source        text NOT NULL CHECK (source IN ('keyword', 'provider', 'staff')),
  opted_out_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, address)
);

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('reminder', 'staff_alert', 'notice', 'reply'));
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
-- dead: given up on (attempts, age or a permanent refusal); staff can replay it.
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'dead', 'cancelled'));
UPDATE outbox SET status = 'dead' WHERE status = 'failed';

ALTER TABLE outbox
  ADD COLUMN channel              text CHECK (channel IN ('sms', 'email', 'webhook')),
  ADD COLUMN recipient            text,          -- the phone number or address (for opt-outs)
  ADD COLUMN first_due_at         timestamptz,   -- when it was first due (NULL: due_at); its age counts from here
  ADD COLUMN alternatives         jsonb NOT NULL DEFAULT '[]',  -- fallback channels, in order
  ADD COLUMN fallback_of          bigint REFERENCES outbox (id),
  ADD COLUMN provider             text,          -- the provider that accepted it
  ADD COLUMN provider_message_id  text,          -- that provider's id for it (Twilio's MessageSid)
  ADD COLUMN provider_status      text,          -- the furthest state a receipt reported
  ADD COLUMN provider_status_at   timestamptz,
  ADD COLUMN provider_error       text,          -- the receipt's error code, if any
  ADD COLUMN dead_at              timestamptz,
  ADD COLUMN quiet_zone           text,          -- a reminder's recipient zone: held back in quiet hours there
  ADD COLUMN replays              integer NOT NULL DEFAULT 0;  -- times staff replayed it
UPDATE outbox SET first_due_at = due_at, channel = payload->>'channel', recipient = payload->>'to';
CREATE INDEX outbox_provider_message ON outbox (provider, provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX outbox_client ON outbox (client_id, id) WHERE client_id IS NOT NULL;
CREATE INDEX outbox_recipient_pending ON outbox (channel, recipient) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_dead ON outbox (dead_at) WHERE status = 'dead';

ALTER TABLE delivery_attempts
  ADD COLUMN provider             text,
  ADD COLUMN provider_message_id  text;

-- A client's answer to a reminder: confirmed, or can't make it. The latest counts.
CREATE TABLE session_replies (
  id           bigserial PRIMARY KEY,
  session_id   bigint NOT NULL REFERENCES sessions (id),
  client_id    bigint NOT NULL REFERENCES clients (id),
  reply        text NOT NULL CHECK (reply IN ('confirmed', 'declined')),
  source       text NOT NULL DEFAULT 'sms' CHECK (source IN ('sms', 'staff')),
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_replies_session ON session_replies (session_id, client_id);

-- Inbound messages, without their text or number: who (if known), what it meant, when. The
-- provider's id makes a redelivered webhook a no-op.
CREATE TABLE inbound_messages (
  id                   bigserial PRIMARY KEY,
  provider             text NOT NULL,
  provider_message_id  text NOT NULL,
  client_id            bigint REFERENCES clients (id),
  family_contact_id    bigint REFERENCES family_contacts (id),
  intent               text NOT NULL,
  received_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_message_id)
);
CREATE INDEX inbound_messages_client ON inbound_messages (client_id, id) WHERE client_id IS NOT NULL;
