"""Reading the import file: one record per line, every bad line numbered, the rest still read."""

from __future__ import annotations

from application.stock_csv import ImportRow, RowProblem, StockCsv


def read(lines: list[bytes]) -> tuple[list[ImportRow], list[RowProblem]]:
    source = StockCsv(lines, minimum=1)
    rows = list(source)
    return rows, source.problems


def test_rows_after_a_bad_line_are_still_read_and_every_bad_line_is_numbered() -> None:
    rows, problems = read(
        [
            b"\xef\xbb\xbfSKU,Location_Code,Quantity\r\n",
            b"A-1,MAIN,5\r\n",
            b"\xff\xfe,MAIN,1\n",
            b"A-2,M\x00,1\n",
            b"\n",
            b'"A-3","MAIN","7"\n',
            b'"A-4,MAIN,1\n',
            b"A-5,MAIN,+2\n",
        ]
    )

    assert [(r.line, r.sku, r.location_code, r.quantity) for r in rows] == [
        (2, "A-1", "MAIN", 5),
        (6, "A-3", "MAIN", 7),
        (8, "A-5", "MAIN", 2),
    ]
    assert [p.line for p in problems] == [3, 4, 7]


def test_a_file_without_its_header_reports_line_one() -> None:
    assert read([]) == ([], [RowProblem(1, "the header must be sku,location_code,quantity")])
    assert read([b"sku,quantity\n", b"A-1,5\n"])[1][0].line == 1


def test_text_lines_are_read_like_bytes() -> None:
    source = StockCsv(["sku,location_code,quantity\n", "A-1,MAIN,5\n"], minimum=0)

    assert [r.quantity for r in source] == [5]
