"""File responses shared by the API and the dashboard: biometric JPEGs and the attendance CSV."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse

from attendance.models import AttendanceRecord

CSV_COLUMNS = ("external_id", "name", "group", "status", "first_seen", "source", "confidence")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def jpeg(data: bytes) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"  # biometric data: never cached by proxies
    return response


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def attendance_csv(records: Iterable[AttendanceRecord], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        first_seen = r.first_seen.isoformat() if r.first_seen else ""
        confidence = f"{r.confidence:.4f}" if r.confidence is not None else ""
        writer.writerow(
            [_cell(r.student.external_id), _cell(r.student.name), _cell(r.student.group), r.status, first_seen,
             r.source, confidence]
        )  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
