#!/usr/bin/env python3
"""Reads an .xlsx workbook back for the Excel tests and prints what it holds, one fact a
line, tab-separated:

    reader    openpyxl   VERSION
    sheet     NAME       ROWS  COLUMNS  FREEZE_PANE  AUTOFILTER_REF
    width     NAME       COLUMN_LETTER  WIDTH
    cell      NAME       COORDINATE  KIND  NUMBER_FORMAT  BOLD  VALUE_AS_JSON

KIND is str, num, bool, date or empty; numbers are printed as Python floats (repr), dates
in ISO form.

With --count-rows, the workbook is not loaded: each worksheet's XML is streamed out of the
zip and its rows counted, with the dimension the worksheet declares (a million rows load
too slowly into openpyxl):

    rows      XML_PATH   ROW_COUNT  DIMENSION

When openpyxl is not installed, prints `skipped  openpyxl  REASON` and exits 0, so that the
caller can say so loudly.
"""

import datetime
import json
import re
import sys
import zipfile


def count_rows(path):
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if not re.match(r"xl/worksheets/sheet\d+\.xml$", name):
                continue
            rows = 0
            dimension = ""
            tail = b""
            with z.open(name) as f:
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    data = tail + chunk
                    if not dimension:
                        m = re.search(rb'<dimension ref="([^"]+)"', data)
                        if m:
                            dimension = m.group(1).decode()
                    rows += data.count(b"</row>")
                    # Keep a tag's worth so that one cut in two is still counted once.
                    keep = 16
                    rows -= tail.count(b"</row>")
                    tail = data[-keep:]
            print(f"rows\t{name}\t{rows}\t{dimension}")


def main():
    path = sys.argv[1]
    if "--count-rows" in sys.argv[2:]:
        count_rows(path)
        return
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
    except Exception as e:  # pragma: no cover - depends on the machine
        print(f"skipped\topenpyxl\t{e}")
        return
    print(f"reader\topenpyxl\t{openpyxl.__version__}")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ref = ws.auto_filter.ref or ""
        print(f"sheet\t{ws.title}\t{ws.max_row}\t{ws.max_column}\t{ws.freeze_panes or ''}\t{ref}")
        for dim in ws.column_dimensions.values():
            if dim.width is None or dim.min is None:
                continue
            for i in range(dim.min, dim.max + 1):
                print(f"width\t{ws.title}\t{get_column_letter(i)}\t{dim.width}")
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None:
                    kind, shown = "empty", "null"
                elif isinstance(v, bool):
                    kind, shown = "bool", json.dumps(v)
                elif isinstance(v, (int, float)):
                    kind, shown = "num", repr(float(v))
                elif isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
                    kind, shown = "date", json.dumps(v.isoformat())
                else:
                    kind, shown = "str", json.dumps(str(v), ensure_ascii=False)
                bold = bool(c.font and c.font.b)
                print(f"cell\t{ws.title}\t{c.coordinate}\t{kind}\t{c.number_format}\t{bold}\t{shown}")


if __name__ == "__main__":
    main()
