"""The activity chart: a real PNG of the right size, its colours drawn, made in worker threads."""

from __future__ import annotations

import io
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.ui.charts import COLOURS, OTHER_COLOUR, chart_title, kept_text, legend_label, render_activity
from recommender.views import Activity, ActivitySeries

WEEKS = [date(2026, 10, 12) + timedelta(weeks=i) for i in range(8)]
DISCORD_UPLOAD_LIMIT = 10 * 1024 * 1024  # bytes, for a server without boosts


def activity(with_other: bool = True) -> Activity:
    series = [
        ActivitySeries("graph neural networks", "topic", [1, 2, 0, 3, 4, 2, 5, 1]),
        ActivitySeries("speech recognition for low-resource languages and dialects", "topic", [0, 1, 2, 0, 1, 3, 1, 0]),
        ActivitySeries("cs.LG", "category", [1, 0, 0, 1, 0, 0, 2, 0]),
    ]
    if with_other:
        series.append(ActivitySeries("other", "other", [0, 0, 1, 1, 0, 0, 1, 1]))
    return Activity(WEEKS, series, likes=30, saves=12, members=5)


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()  # decodes every pixel: a truncated or corrupt file raises here
    return image.convert("RGB")


def colours_in(image: Image.Image) -> set[str]:
    return {f"#{r:02X}{g:02X}{b:02X}" for _, (r, g, b) in image.getcolors(maxcolors=1_000_000)}


def test_the_chart_is_a_small_png_with_a_colour_per_topic() -> None:
    png = render_activity(activity(), "Paper Lab")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and 5_000 < len(png) < DISCORD_UPLOAD_LIMIT // 50
    image = decode(png)
    assert image.size == (800, 400)
    drawn = colours_in(image)
    assert {c.upper() for c in COLOURS[:3]} | {OTHER_COLOUR.upper()} <= drawn
    assert COLOURS[3].upper() not in drawn  # three labels and "other": no fourth colour

    without = colours_in(decode(render_activity(activity(with_other=False))))
    assert COLOURS[0].upper() in without and OTHER_COLOUR.upper() not in without


def test_labels_and_title() -> None:
    assert legend_label("cs.LG", "category") == "arXiv cs.LG"
    long = legend_label("x" * 80, "topic")
    assert len(long) == 32 and long.endswith("…")
    assert chart_title(activity(), "Paper Lab") == "What Paper Lab saved and liked, the last 8 weeks"
    one = Activity(WEEKS[:1], [ActivitySeries("a", "topic", [2])], 2, 0, 1)
    assert chart_title(one, "x") == "What x saved and liked, this week"
    assert decode(render_activity(one)).size == (800, 400)


def test_dollar_signs_emoji_and_long_names_are_drawn_as_text() -> None:
    odd = Activity(WEEKS[:2], [ActivitySeries("$\\frac{1}{0}$ and $x^", "topic", [1, 2]),
                               ActivitySeries("📚 论文 papers", "topic", [0, 1])], 4, 0, 2)
    assert legend_label(odd.series[0].label, "topic") == "\\$\\frac{1}{0}\\$ and \\$x^"  # no mathtext
    title = chart_title(odd, "Money $$$ Lab " + "x" * 100)
    assert title.startswith("What Money \\$\\$\\$ Lab x") and "…" in title
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs the bundled font lacks are drawn as boxes, with a warning
        assert decode(render_activity(odd, "Money $$$ Lab 📚")).size == (800, 400)


def test_no_activity_is_refused_not_drawn_empty() -> None:
    with pytest.raises(ValueError, match="no activity"):
        render_activity(Activity(WEEKS, [], 0, 0, 0))


def test_charts_drawn_at_once_in_threads_without_pyplot() -> None:
    with ThreadPoolExecutor(3) as pool:
        pngs = list(pool.map(lambda _: render_activity(activity()), range(3)))
    assert all(decode(p).size == (800, 400) for p in pngs)
    assert len(set(pngs)) == 1  # the same data draws the same bytes
    assert "matplotlib.pyplot" not in sys.modules  # no global figure manager or backend switch


def test_what_a_chart_counts_reads_in_the_singular_and_the_plural() -> None:
    assert kept_text(Activity(WEEKS, [], 1, 1, 1)) == "1 like and 1 save by 1 member"
    assert kept_text(Activity(WEEKS, [], 1200, 0, 3)) == "1,200 likes and 0 saves by 3 members"
