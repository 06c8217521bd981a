"""Writing a section of docs/benchmarks.md, for the benchmark scripts."""

from __future__ import annotations

from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(heading: str, lines: list[str]) -> None:
    """Put ``lines`` at the end of the report, in place of the section ``heading`` starts."""
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n\n"
    start = old.find(heading)
    if start >= 0:
        end = old.find("\n## ", start + 1)
        old = old[:start] + old[end + 1 :] if end >= 0 else old[:start]
    REPORT.write_text(old.rstrip("\n") + "\n\n" + "\n".join(lines), encoding="utf-8")
