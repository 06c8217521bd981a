"""The export's files: JSON, CSV and an XLSX workbook of already suppressed results.

The results come from :func:`bot.staff.export.build_export`, which does all the
suppression; this module only lays them out. Values from the results go through
``safe_cell`` in CSV and XLSX, so a spreadsheet never runs one as a formula.
"""

from __future__ import annotations

import csv
import io
import json

from bot.names import ANSWER_VALUES, LADDER_PLACES
from bot.reports.cells import safe_cell
from bot.staff.export import CHANNEL_KEYS, ROLE_KEYS, ReviewResult


def export_json(results: list[ReviewResult], min_group: int) -> str:
    reviews = []
    for r in results:
        questions = []
        for q in r.questions:
            item: dict = {"id": q.id, "text": q.text, "principle": q.principle}
            if q.suppressed:
                item["suppressed"] = True
            else:
                item["counts"] = q.counts
                item["withheld"] = q.withheld
            questions.append(item)
        reviews.append(
            {
                "code": r.code,
                "title": r.title,
                "charter": r.charter,
                "level": r.level,
                "held_on": r.held_on,
                "responses": r.responses,
                **({} if r.responses is not None else {"responses_fewer_than": min_group}),
                "responses_by_role": r.by_role,
                "responses_by_channel": r.by_channel,
                "questions": questions,
                "principles": [
                    {"id": p.id, "name": p.text, "suppressed": True}
                    if p.suppressed
                    else {"id": p.id, "name": p.text, "counts": p.counts, "withheld": p.withheld}
                    for p in r.principles
                ],
                "you_said_we_did": [{"date": d, "text": t} for d, t in r.updates],
                "ladder": None
                if r.ladder is None
                else {
                    "staff_level": r.ladder.staff_level,
                    "staff_place": r.ladder.staff_place,
                    **(
                        {"suppressed": True}
                        if r.ladder.families is None
                        else {"families": r.ladder.families, "withheld": r.ladder.withheld}
                    ),
                    "gap": r.ladder.gap,
                },
                **(
                    {}
                    if r.comments is None
                    else {"comments": [{"question": q, "words": w} for q, w in r.comments]}
                ),
            }
        )
    return json.dumps({"min_group": min_group, "reviews": reviews}, indent=2, ensure_ascii=False)


CSV_COLUMNS = (
    "review",
    "title",
    "charter",
    "responses",
    "question",
    "text",
    "principle",
    *ANSWER_VALUES,
    "suppressed",
)
WITHHELD = "withheld"


def people_cell(people: int | None, min_group: int) -> int | str:
    """How many people, as a file shows it: a number, or "fewer than 5"."""
    return f"fewer than {min_group}" if people is None else people


def export_csv(results: list[ReviewResult], min_group: int) -> str:
    """One row per review question; a withheld count says "withheld"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results:
        for q in r.questions:
            if q.suppressed:
                cells = ["" for _ in ANSWER_VALUES]
            else:
                cells = [WITHHELD if q.counts[v] is None else q.counts[v] for v in ANSWER_VALUES]
            row = (
                r.code,
                r.title,
                r.charter,
                people_cell(r.responses, min_group),
                q.id,
                q.text,
                q.principle,
                *cells,
                "yes" if q.suppressed else "no",
            )
            writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


README_LINES = (
    "Feedback from families, aggregated by the co-production companion.",
    "Small groups are withheld so that no person can be picked out:",
    "- a review with fewer than {min_group} people shows no counts (suppressed: yes);",
    "- any count from 1 to {below} is withheld, and shown as 'withheld';",
    "- when only one count in a row would be withheld, the next smallest is withheld too,",
    "  so a withheld count cannot be worked out from the total and the others;",
    "- zeros are shown. No name is ever in this file.",
    "Results are released in steps: they change only once {min_group} more people have",
    "answered, so comparing two files never shows what one person said.",
    "Comments are only here when asked for, for reviews of {min_group} or more people,",
    "with emails, links, phone numbers, postcodes and names taken out.",
    "'You said, we did' lists what staff changed after each review, in their words.",
    "'Ladder gap': where staff placed the work and where families did (done to, for or",
    "with them), withheld the same way; the gap is the families' average step (0 to 2)",
    "minus staff's, shown only when no family count is withheld.",
)


def export_xlsx(results: list[ReviewResult], min_group: int) -> bytes:
    """A workbook: a readme on suppression, questions, principles, people by role and channel."""
    from openpyxl import Workbook

    book = Workbook()
    readme = book.active
    readme.title = "Readme"
    for line in README_LINES:
        readme.append([line.format(min_group=min_group, below=min_group - 1)])
    questions = book.create_sheet("Questions")
    for row in csv.reader(io.StringIO(export_csv(results, min_group))):
        questions.append([int(c) if c.isdigit() else c for c in row])
    principles = book.create_sheet("Principles")
    principles.append(["review", "title", "principle", "name", *ANSWER_VALUES, "suppressed"])
    for r in results:
        for p in r.principles:
            cells = (
                ["" for _ in ANSWER_VALUES]
                if p.suppressed
                else [WITHHELD if p.counts[v] is None else p.counts[v] for v in ANSWER_VALUES]
            )
            row = [r.code, r.title, p.id, p.text, *cells, "yes" if p.suppressed else "no"]
            principles.append([safe_cell(value) for value in row])
    if any(r.comments is not None for r in results):
        written = book.create_sheet("Comments")
        written.append(["review", "question", "words (redacted)"])
        for r in results:
            for question, words in r.comments or []:
                written.append([safe_cell(value) for value in (r.code, question, words)])
    if any(r.ladder is not None for r in results):
        ladder = book.create_sheet("Ladder gap")
        ladder.append(
            ["review", "title", "staff level", "staff place", *LADDER_PLACES, "gap", "suppressed"]
        )
        for r in results:
            if r.ladder is None:
                continue
            families = r.ladder.families
            cells = (
                ["" for _ in LADDER_PLACES]
                if families is None
                else [WITHHELD if families[p] is None else families[p] for p in LADDER_PLACES]
            )
            row = [
                r.code,
                r.title,
                r.ladder.staff_level or "",
                r.ladder.staff_place or "",
                *cells,
                "" if r.ladder.gap is None else r.ladder.gap,
                "yes" if families is None else "no",
            ]
            ladder.append([safe_cell(value) for value in row])
    if any(r.updates for r in results):
        changes = book.create_sheet("You said, we did")
        changes.append(["review", "title", "date", "what we did"])
        for r in results:
            for day, text in r.updates:
                changes.append([safe_cell(value) for value in (r.code, r.title, day, text)])
    for title, attribute, keys in (
        ("People by role", "by_role", ROLE_KEYS),
        ("People by channel", "by_channel", CHANNEL_KEYS),
    ):
        sheet = book.create_sheet(title)
        sheet.append(["review", "title", "responses", *keys, "suppressed"])
        for r in results:
            group = getattr(r, attribute)
            cells = (
                ["" for _ in keys]
                if group is None
                else [WITHHELD if group[k] is None else group[k] for k in keys]
            )
            responses = people_cell(r.responses, min_group)
            row = [r.code, r.title, responses, *cells, "yes" if group is None else "no"]
            sheet.append([safe_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
