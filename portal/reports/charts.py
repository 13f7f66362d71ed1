"""The report's trend charts as SVG, drawn on the server with pygal: no script, no external
file, readable without colour (dashes differ per line, values printed on the bars) and sized
for an A4 page. Each chart comes with its data as a table for the text alternative. The data
tables are protected together with the report's tables (``reports/report.py``): the months of
a chart add up to the period's figure, so a month can give a small cell away. A cell withheld
in the data table ("< 3" or "x") is a gap in the drawing."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from portal.core import clock
from portal.reports import figures, labels
from portal.reports.periods import Period
from portal.reports.tables import Cell, Table, count, days

PRINTABLE = Style(
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    colors=("#1d4e89", "#b5400a", "#2e6b30", "#6a3d9a"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
DASHES = ("", "8, 4", "2, 4", "12, 4, 2, 4")
CHARTS = ("placements", "lease_time", "retention")


@dataclass
class Chart:
    key: str
    title: str
    description: str  # the short text alternative
    data: Table  # the long one: the figures drawn


def _config(**kw) -> dict:
    return {
        "style": PRINTABLE,
        "js": [],  # no script: nothing to load, nothing to run
        "width": 800,
        "height": 380,
        "explicit_size": False,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "include_x_axis": True,  # the axis starts at 0: no exaggerated slopes
        "print_values": False,
        "show_minor_x_labels": True,
        "truncate_legend": -1,
        "margin": 16,
        **kw,
    }


def _drawn(cell: Cell):
    return None if cell.value is None or cell.hidden else float(cell.value)


def _month_labels(period: Period) -> list[str]:
    return [f"{key[5:]}/{key[2:4]}" for key in period.months()]


def placements_data(period: Period, scope: figures.Scope) -> Table:
    """Households with a lease signed per month and target group; each group's months add up
    to its households placed in the table "Placements" (a link for the suppression)."""
    series = figures.placements_per_month(period, scope)
    months = period.months()
    data = Table(
        "placements_per_month",
        _("Placements per month"),
        "",
        [(g, str(labels.TARGET_GROUP_LABELS[g])) for g in labels.TARGET_GROUPS],
    )
    this_month = clock.today().strftime("%Y-%m")
    for key, shown in zip(months, _month_labels(period), strict=True):
        if key > this_month:  # months still to come: no value, not 0
            data.add(shown, {g: Cell(None) for g in labels.TARGET_GROUPS}, key=key)
        else:
            data.add(shown, {g: count(series[g][key]) for g in labels.TARGET_GROUPS}, key=key)
    for group in labels.TARGET_GROUPS:
        data.links.append(
            [(("placements", "households", group), -1)]
            + [((data.key, key, group), 1) for key in months]
        )
    return data


def lease_time_data(period: Period, scope: figures.Scope) -> Table:
    series = figures.lease_time_per_month(period, scope)
    data = Table("lease_time", _("Days from intake to lease"), "", [("median", _("Median days"))])
    for key, shown in zip(period.months(), _month_labels(period), strict=True):
        n, value = series[key]
        data.add(shown, {"median": days(value, n)}, key=key)
    return data


def retention_data(table: Table) -> Table:
    """The rates of the (protected) table of ``figures.retention``, with its marks."""
    data = Table("retention_chart", _("Tenancies held"), "", table.columns)
    for row in table.rows:
        if row.key.endswith(":rate"):
            data.add(row.label.replace(" (%)", ""), row.cells, key=row.key)
    return data


def data_tables(period: Period, scope: figures.Scope) -> list[Table]:
    """The data of the charts that are not a part of a report table, to protect with them."""
    return [placements_data(period, scope), lease_time_data(period, scope)]


def charts_of(by_key: dict[str, Table]) -> list[Chart]:
    """The charts from the protected tables of a report."""
    return [
        Chart(
            "placements",
            _("Placements per month by target group"),
            _("Line chart: households with a lease signed per month, one line per target group."),
            by_key["placements_per_month"],
        ),
        Chart(
            "lease_time",
            _("Days from intake to lease (median per month of the lease)"),
            _("Line chart: the median number of days from intake to lease, per month."),
            by_key["lease_time"],
        ),
        Chart(
            "retention",
            _("Tenancies held at 6, 12 and 24 months (per cent)"),
            _(
                "Bar chart: the share of tenancies still running 6, 12 and 24 months after "
                "moving in."
            ),
            retention_data(by_key["retention"]),
        ),
    ]


def svg(chart: Chart) -> str:
    """The chart drawn; cells withheld in its data table are gaps."""
    table = chart.data
    if chart.key == "retention":
        drawing = pygal.Bar(
            **_config(print_values=True, range=(0, 100), legend_at_bottom=False, show_legend=False)
        )
        drawing.x_labels = [row.label.split(":")[0] for row in table.rows]
        drawing.add(
            str(_("All")),
            [_drawn(row.cells["all"]) for row in table.rows],
        )
    else:
        values = [_drawn(row.cells[key]) for row in table.rows for key, _label in table.columns]
        top = max([v for v in values if v is not None] or [0])
        options = {}
        if chart.key == "placements":  # whole households: whole numbers on the axis
            step = max(1, int(top) // 6 + 1)
            options["y_labels"] = list(range(0, int(top) + step + 1, step))
        drawing = pygal.Line(
            **_config(x_label_rotation=0, show_dots=True, dots_size=3, height=420, **options)
        )
        drawing.x_labels = [row.label for row in table.rows]
        lines = (_("solid line"), _("dashed line"), _("dotted line"), _("dash-dot line"))
        for index, (key, label) in enumerate(table.columns):
            drawing.add(
                f"{label} ({lines[index % len(lines)]})" if len(table.columns) > 1 else label,
                [_drawn(row.cells[key]) for row in table.rows],
                stroke_style={"width": 3, "dasharray": DASHES[index % len(DASHES)]},
                allow_interruptions=True,
            )
    drawing.title = chart.title
    # pygal always writes its tooltip settings as an inline script; an image needs none.
    return SCRIPT.sub("", drawing.render(is_unicode=True))
