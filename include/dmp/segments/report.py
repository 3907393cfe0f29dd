"""The segments report of a run: an HTML page with PNG charts, under DMP_SEGMENT_REPORTS_DIR/<day>/.

Sizes over time (a line chart over every evaluated day's figures), the overlaps between segments
(a matrix) and each segment's top themes and keywords, from the evaluation's figures. Charts are
Altair specs rendered to PNG by vl-convert, in-process: no browser, no CDN, nothing downloaded
at run time. The Airflow UI serves the folder (Browse > Segment reports, plugin `dmp_segment_reports`).
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from dmp.pipeline.runs import read_step_summary
from dmp.segments.daily import EVALUATE_STEP
from dmp.settings import Settings

INDEX = "index.html"
CHART_WIDTH = 480
CHART_HEIGHT = 240


def size_history(settings: Settings, day: dt.date) -> list[dict]:
    """(day, segment, members) of every evaluated day up to `day`."""
    rows = []
    for folder in sorted(settings.runs_dir.glob("????-??-??")):
        when = dt.date.fromisoformat(folder.name)
        figures = read_step_summary(settings, when, EVALUATE_STEP) if when <= day else None
        for segment_id, segment in (figures or {}).get("segments", {}).items():
            rows.append({"day": when.isoformat(), "segment": segment_id, "members": segment["members"]})
    return rows


def _sizes_chart(rows: list[dict]):
    import altair as alt

    return alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=alt.X("day:T", title="run day"), y=alt.Y("members:Q", title="members"), color="segment:N",
    ).properties(width=CHART_WIDTH, height=CHART_HEIGHT, title="Segment sizes")


def _overlap_chart(overlaps: dict[str, dict[str, int]]):
    import altair as alt

    cells = [{"a": left, "b": right, "members": count} for left, row in overlaps.items() for right, count in row.items()]
    base = alt.Chart(alt.Data(values=cells)).encode(x=alt.X("a:N", title=None), y=alt.Y("b:N", title=None))
    return (base.mark_rect().encode(color=alt.Color("members:Q", title="members in both"))
            + base.mark_text(baseline="middle").encode(text="members:Q")).properties(
        width=CHART_WIDTH, height=CHART_WIDTH, title="Overlaps (members in both segments)")


def _save_png(chart, path: Path) -> None:
    import vl_convert as vlc

    path.write_bytes(vlc.vegalite_to_png(chart.to_json(), scale=1))


def _table(title: str, pairs: list[list]) -> str:
    rows = "".join(f"<tr><td>{html.escape(str(key))}</td><td>{count}</td></tr>" for key, count in pairs)
    return f"<h4>{html.escape(title)}</h4><table><tr><th></th><th>members</th></tr>{rows or '<tr><td>none</td></tr>'}</table>"


def _segment_section(segment_id: str, segment: dict, figures: dict) -> str:
    consent = "required" if segment["consent_required"] else "<strong>not required</strong> (targets without consent)"
    return (f"<section><h3>{html.escape(segment_id)}: {html.escape(segment['name'])}</h3>"
            f"<p>{segment['members']} members ({segment['qualified']} qualified today; TTL {segment['membership_ttl_days']} "
            f"days); consent {consent}; excluded: {segment['excluded_no_consent']} refused, "
            f"{segment['excluded_unknown_consent']} unknown; definition {segment['definition_version']}</p>"
            + _table("top themes", figures.get("top_themes", {}).get(segment_id, []))
            + _table("top keywords (pages read on the day)", figures.get("top_keywords", {}).get(segment_id, []))
            + "</section>")


def write_report(settings: Settings, day: dt.date) -> Path:
    """Write the day's report (HTML + PNGs) and point the reports index at it; the page's path."""
    figures = read_step_summary(settings, day, EVALUATE_STEP) or {"segments": {}, "overlaps": {}}
    folder = settings.segment_reports_dir / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    _save_png(_sizes_chart(size_history(settings, day)), folder / "sizes.png")
    _save_png(_overlap_chart(figures.get("overlaps", {})), folder / "overlaps.png")
    sections = "".join(_segment_section(segment_id, segment, figures)
                       for segment_id, segment in figures["segments"].items())
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Segments {day}</title></head><body>"
            f"<h1>Segments of {day}</h1><p>subjects: {figures.get('subjects', 0)} ({figures.get('level', '?')} level)</p>"
            f"<img src='sizes.png' alt='segment sizes over time'><img src='overlaps.png' alt='overlaps'>"
            f"{sections}</body></html>")
    (folder / INDEX).write_text(page, encoding="utf-8")
    (settings.segment_reports_dir / INDEX).write_text(
        f"<!doctype html><meta http-equiv='refresh' content='0; url={day.isoformat()}/{INDEX}'>"
        f"<a href='{day.isoformat()}/{INDEX}'>latest segment report: {day}</a>", encoding="utf-8")
    return folder / INDEX
