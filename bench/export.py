"""How long `copro export` takes, on SQLite and PostgreSQL, as the data grows.

Fills a fresh store with reviews answered by synthetic people (every question,
a fixed random mix of answers, one comment in five), then times the
aggregation with suppression (`build_export`) and each whole export
(aggregation and file), next to the bare SQL GROUP BY of the same answers. Writes
the export section of docs/benchmarks.md. `make bench-export` runs it.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from bot.content import get_pack  # noqa: E402
from bot.staff.export import build_export  # noqa: E402
from bot.staff.export_files import export_csv, export_json, export_xlsx  # noqa: E402
from bot.store.db import engine_for, unit_of_work, upgrade  # noqa: E402
from bot.store.models import Answer, Respondent, Review, ReviewResponse, utcnow  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
# (reviews, people per review): the last is 2,000 reviews and 1,008,000 answers.
SIZES = ((20, 50), (400, 250), (2000, 72))
VALUES = ("yes", "yes", "yes", "partly", "no", "unsure", "skipped")
RUNS = 3
# The floor: the same counts with nothing else (no tallies, no suppression, no file).
BARE_GROUP_BY = (
    "SELECT r.review_id, a.question_id, a.value, count(*) FROM answer a "
    "JOIN review_response r ON r.id = a.response_id GROUP BY r.review_id, a.question_id, a.value"
)


def fill(url: str, reviews: int, people: int) -> int:
    """Reviews answered by ``people`` each; returns the number of answers."""
    rng = random.Random(42)
    questions = get_pack("wirral").questions
    engine = engine_for(url)
    answers = 0
    now = utcnow()
    with engine.begin() as connection:
        for r in range(reviews):
            review_id = connection.execute(
                insert(Review).values(
                    code=f"B{r:05d}", title=f"Meeting {r}", charter="wirral", created_at=now
                )
            ).inserted_primary_key[0]
            respondents = [
                {
                    "pseudonym": f"web-{r}-{p}",
                    "channel": "web",
                    "role": "parent_carer",
                    "created_at": now,
                }
                for p in range(people)
            ]
            connection.execute(insert(Respondent), respondents)
            ids = (
                connection.execute(
                    text("SELECT id FROM respondent WHERE pseudonym LIKE :p"), {"p": f"web-{r}-%"}
                )
                .scalars()
                .all()
            )
            connection.execute(
                insert(ReviewResponse),
                [
                    {
                        "review_id": review_id,
                        "respondent_id": i,
                        "channel": "web",
                        "started_at": now,
                        "with_help": False,
                    }
                    for i in ids
                ],
            )
            response_ids = (
                connection.execute(
                    text("SELECT id FROM review_response WHERE review_id = :r"), {"r": review_id}
                )
                .scalars()
                .all()
            )
            rows = [
                {
                    "response_id": rid,
                    "question_id": q.id,
                    "value": rng.choice(VALUES),
                    "comment": "it was ok, ring me on 07700 900123" if rng.random() < 0.2 else None,
                    "channel": "web",
                    "created_at": now,
                    "updated_at": now,
                }
                for rid in response_ids
                for q in questions
            ]
            connection.execute(insert(Answer), rows)
            answers += len(rows)
    return answers


def timed(work) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_one(url: str, reviews: int, people: int) -> str:
    """One table row: fill a fresh store, then time aggregation and each format."""
    upgrade(url)
    answers = fill(url, reviews, people)
    engine = engine_for(url)

    def aggregate(comments: bool = False):
        with unit_of_work(engine) as session:
            return build_export(session, 5, comments=comments)

    def bare() -> list:
        with engine.connect() as connection:
            return connection.execute(text(BARE_GROUP_BY)).all()

    aggregate()
    floor = timed(bare)
    seconds = timed(aggregate)
    with_comments = timed(lambda: aggregate(comments=True))
    whole = {
        "csv": timed(lambda: export_csv(aggregate(), 5)),
        "json": timed(lambda: export_json(aggregate(), 5)),
        "xlsx": timed(lambda: export_xlsx(aggregate(), 5)),
    }
    engine.dispose()
    engine_for.cache_clear()
    ratios = " | ".join(f"{whole[f]:.2f} ({whole[f] / floor:.1f}×)" for f in whole)
    return (
        f"| {url.split(':')[0]} | {reviews:,} | {reviews * people:,} | {answers:,} | "
        f"{floor:.2f} | {seconds:.2f} ({seconds / floor:.1f}×) | {with_comments:.2f} | {ratios} |"
    )


def measure(url: str) -> list[str]:
    lines = []
    for reviews, people in SIZES:
        lines.append(measure_one(url, reviews, people))
        print(lines[-1], flush=True)
        if url.startswith("sqlite"):
            Path(url.split("///", 1)[1]).unlink()
        else:
            with create_engine(url, future=True).begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return lines


def main() -> int:
    rows = []
    with TemporaryDirectory() as folder:
        rows += measure(f"sqlite:///{folder}/bench.db")
    name = f"copro_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        print(f"PostgreSQL not reachable, measured SQLite only: {error}", file=sys.stderr)
    else:
        try:
            rows += measure(f"postgresql://postgres@127.0.0.1:5432/{name}")
        finally:
            engine_for.cache_clear()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    section = [
        "## Exports (`make bench-export`, bench/export.py)",
        "",
        "Seconds, median of three runs, on this machine (2 cores). *Bare GROUP BY* is",
        "the plain SQL count of answers per review, question and answer, with nothing",
        "else: the floor. *Aggregate* is `build_export`: counts made in SQL from live",
        "answers and the tallies kept after retention, people by role and channel,",
        "principles, then suppression. *csv*, *json* and *xlsx* are a whole export",
        "(aggregate and file). In brackets: times the bare GROUP BY, measured in the",
        "same run. *With comments* also reads and redacts every comment.",
        "",
        "| store | reviews | people | answers | bare GROUP BY | aggregate | with comments "
        "| csv | json | xlsx |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    write_section("## Exports", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
