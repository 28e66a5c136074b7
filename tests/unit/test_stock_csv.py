"""Reading the import file: one record per line, every bad line numbered, the rest still read."""

from __future__ import annotations

from datetime import date

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
    header = "the header must be sku,location_code,quantity (optionally followed by lot,expires_on)"
    assert read([]) == ([], [RowProblem(1, header)])
    assert read([b"sku,quantity\n", b"A-1,5\n"])[1][0].line == 1


def test_text_lines_are_read_like_bytes() -> None:
    source = StockCsv(["sku,location_code,quantity\n", "A-1,MAIN,5\n"], minimum=0)

    assert [r.quantity for r in source] == [5]


def test_lot_columns_are_optional_and_only_rows_that_name_a_lot_are_recorded() -> None:
    csv = StockCsv(
        [
            b"sku,location_code,quantity,lot,expires_on\n",
            b"A-1,MAIN,5,,\n",
            b"A-2,MAIN,5,L1,2099-01-31\n",
            b"A-3,MAIN,5,L2,\n",
            b"A-4,MAIN,5,,2099-01-31\n",
            b"A-5,MAIN,5,L3,31/01/2099\n",
            b"A-6,MAIN,5,bad lot,\n",
            b"A-7,MAIN,5,L4\n",
        ],
        minimum=1,
    )
    rows = list(csv)

    assert [r.line for r in rows] == [2, 3, 4]
    assert [(lot.line, lot.lot, lot.expires_on) for lot in csv.lots] == [
        (3, "L1", date(2099, 1, 31)),
        (4, "L2", None),
    ]
    assert [(p.line, p.message.split(" ")[0]) for p in csv.problems] == [
        (5, "expires_on"),
        (6, "expires_on"),
        (7, "lot"),
        (8, "expected"),
    ]
    with_lot_only = StockCsv([b"sku,location_code,quantity,lot\n", b"A-1,MAIN,5,L1\n"], minimum=1)
    assert len(list(with_lot_only)) == 1 and with_lot_only.lots[0].lot == "L1"
