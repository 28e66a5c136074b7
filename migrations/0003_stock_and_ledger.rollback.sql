DROP TABLE IF EXISTS movement_lines;
DROP TABLE IF EXISTS movements;
DROP TABLE IF EXISTS stock_levels;
