-- Schema version 6 (the app, issue 6).
--
-- A staff member's contact-card photo (管家名片), named by the SHA-256 of an
-- attachment: set by the staff member's own `staff_photo` mutation, which may
-- arrive before the photo's bytes (the attachments lane uploads after the
-- records). NULL until one is set.
ALTER TABLE staff ADD COLUMN photo_sha256 TEXT CHECK (photo_sha256 IS NULL OR length(photo_sha256) = 64);
