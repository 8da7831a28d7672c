"""The activity chart: what a server saved and liked over the last weeks, by topic, as a small PNG.

Drawn with matplotlib's object API (`Figure` on a `FigureCanvasAgg`), never pyplot, so no
global backend or figure registry is touched and each call owns its figure (safe in worker
threads). `/trending` attaches it, the weekly digest's header can (`activity_chart`), and
`paperbot stats --chart FILE` writes it. An opaque card of its own, readable on Discord's
dark and light themes alike; colour-blind-safe colours (Okabe-Ito), "other" in grey.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

from bot.context import Attachment
from recommender.views import Activity

if TYPE_CHECKING:
    from recommender.service import PaperService

CHART_FILE = "activity.png"
SIZE = (8.0, 4.0)  # inches: at DPI, 800 x 400 pixels
DPI = 100
LABEL_MAX = 32  # characters of a topic in the legend
PLACE_MAX = 40  # characters of a server's name in the title
BACKGROUND, TEXT, GRID = "#f4f4f6", "#23272a", "#d4d6db"
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER_COLOUR = "#9a9ca3"
DEFAULT_WEEKS = 8


def plain(text: str, limit: int) -> str:
    """Members' text (a topic, a server's name) shown as written: cut to `limit` characters, and its
    dollar signs escaped so matplotlib never reads them as mathtext."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return text.replace("$", r"\$")


def legend_label(label: str, kind: str) -> str:
    shown = plain(label, LABEL_MAX)
    return f"arXiv {shown}" if kind == "category" else shown


def chart_title(data: Activity, place: str) -> str:
    weeks = "this week" if len(data.weeks) == 1 else f"the last {len(data.weeks)} weeks"
    return f"What {plain(place, PLACE_MAX)} saved and liked, {weeks}"


def kept_text(data: Activity) -> str:
    """What a chart counts, in words: "2 likes and 1 save by 3 members"."""

    def counted(n: int, word: str) -> str:
        return f"{n:,} {word}{'' if n == 1 else 's'}"
    return f"{counted(data.likes, 'like')} and {counted(data.saves, 'save')} by {counted(data.members, 'member')}"


def render_activity(data: Activity, place: str = "this server") -> bytes:
    """The chart as PNG bytes (800 x 400): one stacked bar per week, a colour per topic.

    CPU work (tens of milliseconds): call it off the event loop. `data` must hold activity.
    """
    if not data.total:
        raise ValueError("no activity to draw")
    # Imported here: matplotlib takes a while to import, and only the chart needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=SIZE, dpi=DPI, facecolor=BACKGROUND, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_facecolor(BACKGROUND)
    x = list(range(len(data.weeks)))
    bottom = [0] * len(x)
    for i, series in enumerate(data.series):
        colour = OTHER_COLOUR if series.kind == "other" else COLOURS[i % len(COLOURS)]
        ax.bar(x, series.counts, bottom=bottom, width=0.7, color=colour, label=legend_label(series.label, series.kind),
               edgecolor=BACKGROUND, linewidth=0.6)
        bottom = [b + c for b, c in zip(bottom, series.counts)]
    ticks = [f"{w.day} {w:%b}" for w in data.weeks]
    ticks[-1] += "\n(so far)"  # the current week
    ax.set_xticks(x, ticks, color=TEXT, fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(colors=TEXT, labelsize=9)
    ax.set_ylabel("papers kept (liked or saved)", color=TEXT, fontsize=9)
    ax.set_xlabel("week starting (UTC)", color=TEXT, fontsize=9)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    ax.set_title(kept_text(data), color=TEXT, fontsize=9, loc="left")
    fig.suptitle(chart_title(data, place), color=TEXT, fontsize=12, fontweight="bold", x=0.01, ha="left")
    legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8, labelcolor=TEXT,
                       title="topic", title_fontsize=8, reverse=True)  # reversed: in the order of the stack
    legend.get_title().set_color(TEXT)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor=BACKGROUND, metadata={"Software": None})
    return buf.getvalue()


async def activity_chart(
    service: PaperService, guild_id: int | None, weeks: int = DEFAULT_WEEKS, place: str = "this server",
) -> Attachment | None:
    """The activity chart of a server (every member with None) as an attachment, or None while nobody
    there liked or saved anything in those weeks. Read and drawn in worker threads, off the event loop."""
    data = await asyncio.to_thread(service.activity, guild_id, weeks)
    if not data.total:
        return None
    return Attachment(CHART_FILE, await asyncio.to_thread(render_activity, data, place))
