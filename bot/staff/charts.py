"""Bar charts of a question's answers for the staff dashboard (PNG).

The table next to each chart is the accessible version; a chart is only drawn
for a question whose counts are shown, and a withheld count has no bar, only
the word "withheld", so it cannot be read off the axis.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.store.models import ANSWER_VALUES

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
