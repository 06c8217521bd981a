"""Quality indicators: an organisation's report as a file, CSV or JSON.

Used by the staff dashboard's download and `copro quality report`. The report itself
is read by :mod:`bot.staff.quality_sums`.
"""

from __future__ import annotations

import csv
import io
import json

from bot.reports.cells import safe_cell
from bot.staff.quality import STEP_FIELDS
from bot.staff.quality_sums import QualityReport

CSV_COLUMNS = (
    "organisation",
    "charter",
    "assessed_on",
    "heading",
    "row",
    "indicator_id",
    "statement",
    "score",
    "band",
    "going_well",
    "could_be_better",
    "needs_now",
    "involves",
    "how_coproduced",
)


def report_csv(report: QualityReport) -> str:
    """Per assessment and heading: a row per statement, then the heading's average and next
    steps (row "heading"). A cell a spreadsheet would run as a formula starts with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n, column in enumerate(report.assessments):
        for h in report.headings:
            start = (report.organisation, report.charter, column.assessed_on, h.name)
            for s in h.statements:
                cell = s.cells[n]
                row = (
                    *start,
                    "statement",
                    s.id,
                    s.text,
                    "" if cell.score is None else cell.score,
                    cell.band or "Not rated",
                    cell.going_well or "",
                    cell.could_be_better or "",
                    "",
                    "",
                    "",
                )
                writer.writerow([safe_cell(value) for value in row])
            average, steps = h.averages[n], h.next_steps[n]
            row = (
                *start,
                "heading",
                "",
                "",
                "" if average.value is None else f"{average.value:.1f}",
                average.band or "Not rated",
                "",
                "",
                steps.needs_now or "",
                steps.involves or "",
                steps.how_coproduced or "",
            )
            writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def report_data(report: QualityReport) -> dict:
    """The report as plain data: each assessment with its headings, scores and notes."""
    return {
        "organisation": report.organisation,
        "charter": report.charter,
        "area": report.area,
        "assessments": [
            {
                "assessed_on": column.assessed_on,
                "headings": [
                    {
                        "principle": h.principle,
                        "name": h.name,
                        "average": None
                        if h.averages[n].value is None
                        else float(h.averages[n].value),
                        "band": h.averages[n].band,
                        "rated": h.averages[n].rated,
                        "statements": [
                            {
                                "id": s.id,
                                "text": s.text,
                                "score": s.cells[n].score,
                                "band": s.cells[n].band,
                                "going_well": s.cells[n].going_well,
                                "could_be_better": s.cells[n].could_be_better,
                            }
                            for s in h.statements
                        ],
                        "next_steps": {
                            field: getattr(h.next_steps[n], field) for field in STEP_FIELDS
                        },
                    }
                    for h in report.headings
                ],
            }
            for n, column in enumerate(report.assessments)
        ],
    }


def report_json(report: QualityReport) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False)
