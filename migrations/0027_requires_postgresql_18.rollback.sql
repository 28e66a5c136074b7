-- 0027 only checks the server's version: nothing to undo.
SELECT 1;
