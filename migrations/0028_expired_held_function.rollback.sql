DROP FUNCTION IF EXISTS expired_held(text, uuid, uuid, timestamptz);
