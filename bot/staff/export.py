"""Aggregated, suppressed feedback: the `copro export` contract (see shared/design.md).

Counts are made in SQL (live answers, plus the tallies the retention policy
keeps), then suppressed here:

- a review with fewer than ``min_group`` people has every question withheld
  (``"suppressed": true``);
- within a question, any count from 1 to ``min_group - 1`` is withheld (``null``,
  and named in ``withheld``); zeros are shown;
- secondary suppression: a question with exactly one withheld count also
  withholds its smallest other non-zero count, so that no withheld count can be
  worked out from the number of people and the counts that are shown.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from bot.content import ContentError, get_pack
from bot.staff.cells import safe_cell
from bot.staff.redact import redact
from bot.store.models import (
    ANSWER_VALUES,
    LADDER_PLACES,
    LADDER_QUESTION,
    LEVEL_PLACE,
    ROLES,
    Answer,
    AnswerTally,
    Pledge,
    Respondent,
    ResponseTally,
    Review,
    ReviewResponse,
)
from bot.store.retention import UNKNOWN_ROLE
from bot.store.updates import updates_for

ROLE_KEYS = (*ROLES, UNKNOWN_ROLE)
CHANNEL_KEYS = ("web", "telegram", "rest")


@dataclass
class QuestionResult:
    id: str
    text: str
    principle: str
    counts: dict[str, int | None] | None
    withheld: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.counts is None


# Steps of the ladder as numbers, for the gap: done to us 0, for us 1, with us 2.
PLACE_STEP = {"doing_to": 0, "doing_for": 1, "doing_with": 2}


@dataclass
class LadderResult:
    """Where staff placed the work, where families did (suppressed), and the gap."""

    staff_level: str | None
    staff_place: str | None
    # Families' answers (None: withheld, the review or the row is too small).
    families: dict[str, int | None] | None
    withheld: list[str] = field(default_factory=list)
    # Families' average step minus staff's step (-2 to 2; above 0: families put the work
    # higher than staff did). Only when every family count is shown and at least
    # ``min_group`` families placed it, so it cannot reveal a withheld count.
    gap: float | None = None


def ladder_result(
    level: str | None, raw: dict[str, int], total: int, min_group: int
) -> LadderResult | None:
    """The ladder gap of one review; None when staff gave no level and nobody placed it."""
    if level is None and not any(raw.values()):
        return None
    staff_place = LEVEL_PLACE.get(level) if level else None
    if total < min_group:
        return LadderResult(level, staff_place, None)
    shown, withheld = suppress_counts(raw, min_group)
    placed = sum(raw[place] for place in PLACE_STEP)
    gap = None
    if staff_place and shown is not None and not withheld and placed >= min_group:
        mean = sum(PLACE_STEP[place] * raw[place] for place in PLACE_STEP) / placed
        gap = round(mean - PLACE_STEP[staff_place], 1)
    return LadderResult(level, staff_place, shown, withheld, gap)


@dataclass
class ReviewResult:
    code: str
    title: str
    charter: str
    level: str | None
    held_on: str | None
    responses: int
    questions: list[QuestionResult]
    # People by role and by channel, suppressed like the answer counts (None: withheld).
    by_role: dict[str, int | None] | None = None
    by_channel: dict[str, int | None] | None = None
    # Answers to all the questions about each principle, suppressed the same way.
    principles: list[QuestionResult] = field(default_factory=list)
    # (question id, redacted words), only when asked for and the group is large enough.
    comments: list[tuple[str, str]] | None = None
    # "You said, we did": (date, what staff changed), oldest first. Staff words only.
    updates: list[tuple[str, str]] = field(default_factory=list)
    ladder: LadderResult | None = None


def suppress_counts(
    counts: dict[str, int], min_group: int
) -> tuple[dict[str, int | None] | None, list[str]]:
    """Withhold small counts, then one more when only one was withheld.

    When a single small count has no other non-zero count to hide it with, the
    whole question is withheld (``None``): it could be worked out otherwise.
    """
    shown: dict[str, int | None] = dict(counts)
    withheld = [value for value, n in counts.items() if 0 < n < min_group]
    if len(withheld) == 1:
        others = sorted(
            (n, value) for value, n in counts.items() if n > 0 and value not in withheld
        )
        if not others:
            return None, []
        withheld.append(others[0][1])
    for value in withheld:
        shown[value] = None
    return shown, sorted(withheld, key=list(counts).index)


def _reviews(
    session: Session, code: str | None, charter: str | None, since: date | None, until: date | None
) -> list[Review]:
    query = select(Review).order_by(Review.charter, Review.code)
    if code:
        query = query.where(Review.code == code.strip().upper())
    if charter:
        query = query.where(Review.charter == charter)
    reviews = list(session.scalars(query))

    def when(review: Review) -> date:
        if review.held_on:
            try:
                return date.fromisoformat(review.held_on)
            except ValueError:
                pass
        return review.created_at.date()

    return [
        r
        for r in reviews
        if (since is None or when(r) >= since) and (until is None or when(r) <= until)
    ]


def _answer_counts(session: Session, review_ids: list[int]) -> dict[tuple[int, str, str], int]:
    """(review, question, answer) → people, from live answers and kept tallies, in SQL."""
    live = (
        select(
            ReviewResponse.review_id.label("review_id"),
            Answer.question_id.label("question_id"),
            Answer.value.label("value"),
            func.count().label("n"),
        )
        .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
        .where(ReviewResponse.review_id.in_(review_ids))
        .group_by(ReviewResponse.review_id, Answer.question_id, Answer.value)
    )
    kept = (
        select(
            AnswerTally.review_id,
            AnswerTally.question_id,
            AnswerTally.value,
            func.sum(AnswerTally.count),
        )
        .where(AnswerTally.review_id.in_(review_ids))
        .group_by(AnswerTally.review_id, AnswerTally.question_id, AnswerTally.value)
    )
    both = union_all(live, kept).subquery()
    rows = session.execute(
        select(both.c.review_id, both.c.question_id, both.c.value, func.sum(both.c.n)).group_by(
            both.c.review_id, both.c.question_id, both.c.value
        )
    )
    return {(r, q, v): int(n) for r, q, v, n in rows}


def _people_by(session: Session, review_ids: list[int], column: str) -> dict[int, dict[str, int]]:
    """People per review by role or by channel, live and kept, in SQL."""
    if column == "role":
        live_key = func.coalesce(Respondent.role, UNKNOWN_ROLE)
        live = (
            select(ReviewResponse.review_id, live_key, func.count())
            .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
            .where(ReviewResponse.review_id.in_(review_ids))
            .group_by(ReviewResponse.review_id, live_key)
        )
    else:
        live = (
            select(ReviewResponse.review_id, ReviewResponse.channel, func.count())
            .where(ReviewResponse.review_id.in_(review_ids))
            .group_by(ReviewResponse.review_id, ReviewResponse.channel)
        )
    kept_key = getattr(ResponseTally, column)
    kept = (
        select(ResponseTally.review_id, kept_key, func.sum(ResponseTally.count))
        .where(ResponseTally.review_id.in_(review_ids))
        .group_by(ResponseTally.review_id, kept_key)
    )
    both = union_all(live, kept).subquery()
    review_id, key, n = both.c
    rows = session.execute(select(review_id, key, func.sum(n)).group_by(review_id, key))
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for rid, name, count in rows:
        result[rid][name] = int(count)
    return result


def _comments(session: Session, review_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Comments per review, redacted, without who wrote them, in a fixed order."""
    rows = session.execute(
        select(ReviewResponse.review_id, Answer.question_id, Answer.comment, Respondent.pseudonym)
        .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
        .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
        .where(ReviewResponse.review_id.in_(review_ids), Answer.comment.is_not(None))
    ).all()
    people = {pseudonym for *_, pseudonym in rows}
    names: dict[str, list[str]] = defaultdict(list)
    if people:
        given = session.execute(
            select(Pledge.pseudonym, Pledge.first_name, Pledge.representative).where(
                Pledge.pseudonym.in_(people)
            )
        )
        for pseudonym, first_name, representative in given:
            names[pseudonym] += [n for n in (first_name, representative) if n]
    result: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for review_id, question_id, comment, pseudonym in rows:
        result[review_id].append((question_id, redact(comment, names[pseudonym])))
    return result


def _people(session: Session, review_ids: list[int]) -> dict[int, int]:
    live = (
        select(ReviewResponse.review_id.label("review_id"), func.count().label("n"))
        .where(ReviewResponse.review_id.in_(review_ids))
        .group_by(ReviewResponse.review_id)
    )
    kept = (
        select(ResponseTally.review_id, func.sum(ResponseTally.count))
        .where(ResponseTally.review_id.in_(review_ids))
        .group_by(ResponseTally.review_id)
    )
    both = union_all(live, kept).subquery()
    rows = session.execute(select(both.c.review_id, func.sum(both.c.n)).group_by(both.c.review_id))
    return {r: int(n) for r, n in rows}


def build_export(
    session: Session,
    min_group: int,
    *,
    code: str | None = None,
    charter: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress=None,
    comments: bool = False,
) -> list[ReviewResult]:
    """Every matching review, its questions' counts suppressed.

    With ``comments``, the redacted comments of reviews with at least
    ``min_group`` people, sorted by question and then words, never by person.
    """
    reviews = _reviews(session, code, charter, since, until)
    ids = [r.id for r in reviews]
    counts = _answer_counts(session, ids) if ids else {}
    people = _people(session, ids) if ids else {}
    roles = _people_by(session, ids, "role") if ids else {}
    channels = _people_by(session, ids, "channel") if ids else {}
    written = _comments(session, ids) if ids and comments else {}
    changes = updates_for(session, ids)
    by_question: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(ANSWER_VALUES, 0)
    )
    for (review_id, question_id, value), n in counts.items():
        if value in ANSWER_VALUES:
            by_question[(review_id, question_id)][value] += n
    results = []
    for review in progress(reviews) if progress else reviews:
        try:
            questions = get_pack(review.charter).questions
        except ContentError:
            questions = ()
        total = people.get(review.id, 0)
        rows = []
        for question in questions:
            raw = by_question[(review.id, question.id)]
            if total < min_group:
                rows.append(QuestionResult(question.id, question.text, question.principle, None))
                continue
            shown, withheld = suppress_counts(raw, min_group)
            rows.append(
                QuestionResult(question.id, question.text, question.principle, shown, withheld)
            )
        principle_rows = []
        pack_principles = get_pack(review.charter).principles if questions else ()
        for principle in pack_principles:
            raw = dict.fromkeys(ANSWER_VALUES, 0)
            for question in questions:
                if question.principle == principle.id:
                    for value, n in by_question[(review.id, question.id)].items():
                        raw[value] += n
            shown, withheld = suppress_counts(raw, min_group) if total >= min_group else (None, [])
            principle_rows.append(
                QuestionResult(principle.id, principle.name, principle.id, shown, withheld)
            )
        groups = {}
        for name, found, keys in (
            ("by_role", roles, ROLE_KEYS),
            ("by_channel", channels, CHANNEL_KEYS),
        ):
            raw = {key: found.get(review.id, {}).get(key, 0) for key in keys}
            groups[name] = suppress_counts(raw, min_group)[0] if total >= min_group else None
        results.append(
            ReviewResult(
                review.code,
                review.title,
                review.charter,
                review.level,
                review.held_on,
                total,
                rows,
                **groups,
                principles=principle_rows,
                comments=_ordered(written.get(review.id, []), questions)
                if comments and total >= min_group
                else None,
                updates=[
                    (u.created_at.date().isoformat(), u.text) for u in changes.get(review.id, [])
                ],
                ladder=ladder_result(
                    review.level,
                    {p: counts.get((review.id, LADDER_QUESTION, p), 0) for p in LADDER_PLACES},
                    total,
                    min_group,
                ),
            )
        )
    return results


def _ordered(found: list[tuple[str, str]], questions) -> list[tuple[str, str]]:
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(found, key=lambda c: (order.get(c[0], len(order)), c[1]))


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


def export_csv(results: list[ReviewResult]) -> str:
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
                r.responses,
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
    for row in csv.reader(io.StringIO(export_csv(results))):
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
            row = [r.code, r.title, r.responses, *cells, "yes" if group is None else "no"]
            sheet.append([safe_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
