"""Charts for the staff dashboard (PNG): a question's answers, quality indicator averages.

The table next to each chart is the accessible version; a chart is only drawn
for a question whose counts are shown, and a withheld count has no bar, only
the word "withheld", so it cannot be read off the axis.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.names import ANSWER_VALUES

ANSWER_WORDS = {
    "yes": "Yes",
    "partly": "A bit",
    "no": "No",
    "unsure": "Not sure",
    "skipped": "Skipped",
}
# The dashboard's dark blue; every bar is labelled with its number.
BAR = "#23395d"


def answer_chart(title: str, counts: dict[str, int | None]) -> bytes:
    """A PNG bar chart of one question's shown counts; withheld ones have no height."""
    figure = Figure(figsize=(6.4, 3.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [ANSWER_WORDS[v] for v in ANSWER_VALUES]
    shown = [counts.get(v) or 0 for v in ANSWER_VALUES]
    bars = axes.bar(labels, shown, color=BAR)
    top = max(shown) if any(shown) else 1
    for bar, value in zip(bars, ANSWER_VALUES, strict=True):
        label = "withheld" if counts.get(value) is None else str(counts[value])
        axes.annotate(
            label,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=10,
            fontstyle="italic" if label == "withheld" else "normal",
        )
    axes.set_ylim(0, top * 1.2)
    axes.set_ylabel("People")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title if len(title) <= 70 else title[:67] + "...", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# Lines told apart by marker and dash as well as colour, so no one needs to see colour.
LINE_STYLES = (
    ("#23395d", "o", "-"),
    ("#b10e1e", "s", "--"),
    ("#00703c", "^", "-."),
    ("#6f3c97", "D", ":"),
    ("#505a5f", "v", "-"),
    ("#8f4a00", "P", "--"),
)


def quality_chart(
    title: str, dates: list[str], lines: list[tuple[str, list[float | None]]]
) -> bytes:
    """A PNG line chart of each heading's average score (0-10) at each assessment date.

    ``lines`` holds a heading's name and its averages, one per date (None: not rated,
    a gap in its line). The report's tables give the same numbers.
    """
    figure = Figure(figsize=(7.2, 4.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(dates)))
    for n, (name, values) in enumerate(lines):
        colour, marker, dash = LINE_STYLES[n % len(LINE_STYLES)]
        shown = [float("nan") if v is None else float(v) for v in values]
        label = name if len(name) <= 45 else name[:42] + "..."
        axes.plot(
            positions, shown, color=colour, marker=marker, linestyle=dash, linewidth=2, label=label
        )
    axes.set_xticks(positions)
    axes.set_xticklabels(dates)
    axes.set_xlim(-0.5, max(len(dates) - 0.5, 0.5))
    axes.set_ylim(-0.3, 10.3)
    axes.set_yticks([0, 5, 10])
    axes.set_yticklabels(["0 Emerging", "5 Established", "10 Embedded"])
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.8)
    axes.set_ylabel("Average score")
    axes.set_title(title if len(title) <= 70 else title[:67] + "...", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
