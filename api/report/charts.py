"""The report's charts and the schedule page's spread of meetings, drawn by matplotlib as SVG:
inline in the pages, and vector in the PDF (WeasyPrint draws the same SVG).

Figures are made with `matplotlib.figure.Figure` (no pyplot: no global state, safe in the
server's threads); text stays text (`svg.fonttype: none`, readable and searchable), ids are
stable (`svg.hashsalt`) and no date is written, so the same figures give the same SVG. Colours
are told apart by hatching too (missed meetings), not by colour alone.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from markupsafe import Markup
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from api.i18n import format_clock, gettext
from api.report.figures import NO_HALL, Counts, Report, hour_of

HELD, MISSED, UNKNOWN = "#1b7837", "#b2182b", "#9e9e9e"
SIDE_COLOURS = {"director": "#2166ac", "industrial": "#e08214"}
STYLE: Any = {  # matplotlib rcParams (typed by their names)
    "svg.fonttype": "none",
    "svg.hashsalt": "salon",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def svg(figure: Figure, label: str) -> Markup:
    """The figure as an inline SVG element (no XML prolog), labelled for screen readers."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    head, _, rest = text.partition(">")
    title = Markup("<title>{}</title>").format(label)
    return Markup(f'{head} role="img" aria-label="{Markup.escape(label)}">{title}{rest}')


def new_figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def whole_numbers(axes: Axes, axis: str = "y") -> None:
    """Counts have whole ticks only."""
    (axes.yaxis if axis == "y" else axes.xaxis).set_major_locator(MaxNLocator(integer=True))


def stacked_bars(
    names: Sequence[str], counts: Sequence[Counts], language: str, horizontal: bool = False
) -> Figure:
    """Held, missed and unrecorded meetings stacked, one bar per name."""
    with matplotlib.rc_context(STYLE):
        figure = new_figure(7.0, max(2.2, 0.45 * len(names) + 1.0) if horizontal else 3.0)
        axes = figure.subplots()
        positions = list(range(len(names)))
        bottom = [0] * len(names)
        parts = (
            ("Tenus", [c.held for c in counts], HELD, ""),
            ("Manqués", [c.missed for c in counts], MISSED, "//"),
            ("Non relevés", [c.unknown for c in counts], UNKNOWN, ""),
        )
        for label, values, colour, hatch in parts:
            style: dict[str, Any] = {
                "color": colour, "hatch": hatch, "edgecolor": "white",
                "label": gettext(language, label),
            }
            if horizontal:
                axes.barh(positions, values, 0.7, left=bottom, **style)
            else:
                axes.bar(positions, values, 0.7, bottom=bottom, **style)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        if horizontal:
            axes.set_yticks(positions, names)
            axes.invert_yaxis()
            whole_numbers(axes, "x")
            axes.set_xlabel(gettext(language, "Rendez-vous"))
        else:
            axes.set_xticks(positions, names)
            axes.set_ylabel(gettext(language, "Rendez-vous"))
            whole_numbers(axes)
        axes.legend(frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return figure


def hour_label(hour: dt.datetime, language: str, days: int) -> str:
    clock = format_clock(hour, language)
    return f"{hour:%d/%m} {clock}" if days > 1 else clock


def meetings_by_hour_chart(report: Report, language: str) -> Markup:
    names = [hour_label(hour, language, report.days) for hour, _ in report.by_hour]
    figure = stacked_bars(names, [c for _, c in report.by_hour], language)
    return svg(figure, gettext(language, "Rendez-vous tenus et manqués, par heure"))


def meetings_by_hall_chart(report: Report, language: str) -> Markup:
    names = [hall or gettext(language, "Sans salle") for hall, _ in report.by_hall]
    figure = stacked_bars(names, [c for _, c in report.by_hall], language, horizontal=True)
    return svg(figure, gettext(language, "Rendez-vous tenus et manqués, par salle"))


def hours_since(moment: dt.datetime, origin: dt.datetime) -> float:
    return (moment - origin).total_seconds() / 3600


def arrivals_chart(report: Report, language: str) -> Markup:
    """Participants checked in over time (a step curve) against those expected."""
    with matplotlib.rc_context(STYLE):
        figure = new_figure(7.0, 3.0)
        axes = figure.subplots()
        if report.arrivals:
            first = report.arrivals[0][0].replace(hour=0, minute=0, second=0, microsecond=0)
            times = [hours_since(at, first) for at, _ in report.arrivals]
            counts = [n for _, n in report.arrivals]
            axes.step(times, counts, where="post", color=SIDE_COLOURS["director"], linewidth=2)
            begin = hour_of(report.arrivals[0][0])
            start = hours_since(begin, first)
            end = max(times[-1] + 0.1, start + 1)
            axes.set_xlim(start, end)
            step = 0.5 if end - start <= 4 else 1.0
            count = int((end - start) / step) + 1
            ticks = [begin + dt.timedelta(hours=step * i) for i in range(count)]
            axes.set_xticks(
                [hours_since(t, first) for t in ticks],
                [hour_label(t, language, report.days) for t in ticks],
            )
        axes.axhline(
            report.expected, color="#333333", linestyle="--", linewidth=1,
            label=gettext(language, "Participants attendus"),
        )
        axes.set_ylim(0, max(report.expected, report.arrived, 1) * 1.08)
        axes.set_ylabel(gettext(language, "Arrivés"))
        whole_numbers(axes)
        axes.legend(frameon=False, loc="lower right")
    return svg(figure, gettext(language, "Courbe des arrivées"))


def ratings_chart(report: Report, language: str) -> Markup:
    with matplotlib.rc_context(STYLE):
        figure = new_figure(4.5, 2.6)
        axes = figure.subplots()
        stars = list(report.ratings)
        axes.bar(stars, [report.ratings[s] for s in stars], 0.6, color=SIDE_COLOURS["director"])
        axes.set_xticks(stars, [str(s) for s in stars])
        axes.set_xlabel(gettext(language, "Note"))
        axes.set_ylabel(gettext(language, "Avis"))
        axes.set_ylim(0, max(1, *report.ratings.values()) * 1.1)
        whole_numbers(axes)
    return svg(figure, gettext(language, "Répartition des notes"))


def spread_chart(
    spread: dict[str, list[tuple[int, int]]], side_names: dict[str, str], language: str
) -> Markup:
    """The schedule's spread of meetings: per side, how many participants hold how many
    meetings (grouped bars)."""
    with matplotlib.rc_context(STYLE):
        figure = new_figure(7.0, 3.0)
        axes = figure.subplots()
        sides = [side for side in SIDE_COLOURS if side in spread]
        width = 0.8 / max(1, len(sides))
        held_values = sorted({held for counts in spread.values() for held, _ in counts})
        for i, side in enumerate(sides):
            counts = dict(spread[side])
            offsets = [h + (i - (len(sides) - 1) / 2) * width for h in held_values]
            axes.bar(
                offsets, [counts.get(h, 0) for h in held_values], width,
                color=SIDE_COLOURS[side], label=side_names[side],
                hatch="" if side == "director" else "..", edgecolor="white",
            )
        axes.set_xticks(held_values, [str(h) for h in held_values])
        axes.set_xlabel(gettext(language, "Rendez-vous par participant"))
        axes.set_ylabel(gettext(language, "Participants"))
        whole_numbers(axes)
        axes.legend(frameon=False)
    label = "Répartition : combien de participants ont combien de rendez-vous"
    return svg(figure, gettext(language, label))


def report_charts(report: Report, language: str) -> dict[str, Markup]:
    """Every chart of the report, by name."""
    charts = {
        "hours": meetings_by_hour_chart(report, language),
        "arrivals": arrivals_chart(report, language),
        "ratings": ratings_chart(report, language),
    }
    if report.by_hall and any(hall != NO_HALL for hall, _ in report.by_hall):
        charts["halls"] = meetings_by_hall_chart(report, language)
    return charts
