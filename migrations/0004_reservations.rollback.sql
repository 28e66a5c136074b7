DROP TABLE IF EXISTS reservation_lines;
DROP TABLE IF EXISTS reservations;
