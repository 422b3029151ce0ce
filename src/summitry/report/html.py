"""A forecast as one self-contained HTML page, with its charts also saved as PNG files.

:func:`build_report` writes ``index.html`` and one PNG per chart into a folder. CSS is
inline and every chart is embedded as a ``data:`` URI, so the page works alone when moved;
nothing comes from the network. Sections: what was run, the forecast table, trajectories
and outcomes, P(deal), winners and losers, miscalculation, drivers, timeline, inputs,
evidence. The analyses are passed in as a :class:`ReportExtras`; a P(deal), winners or
drivers section without data says it was not computed, while the miscalculation and
timeline sections appear only where actors hold beliefs or the scenario has events (their
parts of the page are written by :mod:`summitry.report.html_timeline`).

The same forecast and extras give byte-identical files (no time of day is written). Files
go to a temporary folder beside the target, which takes the target's place only when all
is written, so a failure leaves no half-written report and an earlier report is replaced
whole.
"""

from __future__ import annotations

import base64
import errno
import math
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summitry.analysis.deal import REASON_WORDS
from summitry.forecast import Forecast
from summitry.report import charts
from summitry.report.html_parts import escape as _e
from summitry.report.html_parts import number
from summitry.report.html_parts import table as _table
from summitry.report.html_timeline import (
    MISCALCULATION_FIGURE,
    TIMELINE_FIGURE,
    as_record,
    miscalculation_html,
    perception_inputs_html,
    timeline_html,
)
from summitry.scenario import Issue, Scenario

__all__ = [
    "CHART_FILES",
    "ReportExtras",
    "ReportPage",
    "build_report",
    "draw_charts",
    "extras_from",
    "render_html",
    "render_page",
]

CHART_FILES = (
    "trajectories.png",
    "outcomes.png",
    "deal.png",
    "winners.png",
    "miscalculation.png",
    "drivers.png",
    "advice.png",
    "timeline.png",
)
"""Names of the PNG files a report may hold, in page order."""


@dataclass(frozen=True)
class ReportExtras:
    """Results of analyses beyond the forecast itself; every field is optional.

    Attributes
    ----------
    p_deal
        ``{model: P(deal) in [0, 1]}``.
    blocking
        ``{model: {actor id: share of draws in [0, 1] in which the actor blocks}}``.
    deal
        ``{model: the forecast record's p_deal entry}``: the interval and the reasons
        for no deal (:meth:`summitry.forecast.Forecast.deal_dict`).
    winners
        ``{model: {actor id: (median, lo, hi)}}``: change in the actor's utility from
        the status quo to the forecast, with an interval.
    drivers
        ``{issue id: [(group label, ST, ST_conf, S1), ...]}``: variance-based
        sensitivity of the issue's outcome to groups of inputs.
    drivers_model
        The model the drivers are of.
    miscalculation
        ``{model: [{"actor", "score", "interval": [lo, hi], "issues": {issue id:
        {"own", "gap"}}}, ...]}``, the forecast record's ``"miscalculation"`` entry.
    timeline
        A timeline record (:func:`summitry.report.timeline_view.timeline_record`).
    notes
        A sentence shown under a section, by section name (``"deal"``, ``"winners"``,
        ``"drivers"``, ``"miscalculation"``, ``"timeline"``): how the numbers were
        computed, for which model, how many draws.
    """

    p_deal: Mapping[str, float] | None = None
    blocking: Mapping[str, Mapping[str, float]] | None = None
    deal: Mapping[str, Mapping[str, Any]] | None = None
    drivers_model: str | None = None
    winners: Mapping[str, Mapping[str, tuple[float, float, float]]] | None = None
    drivers: Mapping[str, Sequence[tuple[str, float, float, float]]] | None = None
    miscalculation: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
    timeline: Mapping[str, Any] | None = None
    advice: Any = None
    notes: Mapping[str, str] = field(default_factory=dict)


# -- charts and files ----------------------------------------------------------------------


def draw_charts(forecast: Forecast, extras: ReportExtras | None = None) -> dict[str, bytes]:
    """Every chart the report shows, as ``{file name: PNG bytes}`` in page order."""
    extras = extras or ReportExtras()
    name = forecast.scenario.name
    labels = {a.id: a.label for a in forecast.scenario.actors}
    figures = {
        "trajectories.png": charts.trajectory_chart(forecast),
        "outcomes.png": charts.outcome_chart(forecast),
    }
    if extras.p_deal:
        reasons = None
        if extras.deal and all(d.get("reasons") for d in extras.deal.values()):
            reasons = {
                m: {r: v["share"] for r, v in d["reasons"].items()} for m, d in extras.deal.items()
            }
        figures["deal.png"] = charts.deal_chart(
            extras.p_deal, extras.blocking, title=name, labels=labels, reasons=reasons
        )
    if extras.winners:
        figures["winners.png"] = charts.winners_chart(extras.winners, title=name, labels=labels)
    if extras.miscalculation:
        head = {"scenario": name, "samples": forecast.n_samples, "models": list(forecast.models)}
        scored = {**head, "miscalculation": extras.miscalculation}
        figures["miscalculation.png"] = charts.miscalculation_chart(scored, labels=labels)
    if extras.drivers:
        figures["drivers.png"] = charts.drivers_chart(
            extras.drivers, title=name, model=extras.drivers_model
        )
    if extras.timeline:
        figures["timeline.png"] = charts.timeline_chart(extras.timeline)
    if extras.advice is not None:
        from summitry.report.advise_view import advise_chart

        figures["advice.png"] = advise_chart(extras.advice)
    return {file: charts.png_bytes(fig) for file, fig in figures.items()}


def extras_from(forecast: Forecast, *, drivers: Any = None, timeline: Any = None) -> ReportExtras:
    """The analyses a forecast carries, and optional drivers, as :class:`ReportExtras` takes.

    ``drivers`` is a :class:`~summitry.analysis.sensitivity.Drivers` computed with Sobol
    indices, or None. ``timeline`` is what :func:`summitry.timeline.run_timeline` returns
    (run with the forecast's models, seed and samples, as
    :func:`~summitry.report.html_timeline.timeline_for` does), its record, or None.
    """
    full = forecast.to_dict()
    record = full["winners"]
    scored = {m: w for m, w in record.items() if w["actors"]}
    winners = {
        m: {r["actor"]: (r["change"], *r["interval"]) for r in w["actors"]}
        for m, w in scored.items()
    }
    notes = {}
    if not scored:
        notes["winners"] = "no issue has a status quo, so no actor's change can be scored."
    ranked = None
    if drivers is not None and drivers.method == "sobol":
        ranked = {
            i: [(r["group"], r["ST"], r["ST_conf"], r["S1"]) for r in drivers.ranked(i)]
            for i in drivers.issues
        }
        notes["drivers"] = (
            f"Sobol indices of the {drivers.model} model's outcome, "
            f"{drivers.evaluations} evaluations, seed {drivers.seed}."
        )
    deal = full["p_deal"]
    if deal is None:
        notes["deal"] = "an issue has no status quo, so no veto player can be asked."
    return ReportExtras(
        p_deal=None if deal is None else {m: d["p_deal"] for m, d in deal.items()},
        blocking=None if deal is None else {m: d["blocking"] for m, d in deal.items()},
        deal=deal,
        winners=winners or None,
        drivers=ranked,
        drivers_model=None if ranked is None else drivers.model,
        miscalculation=full["miscalculation"] or None,
        timeline=as_record(timeline),
        notes=notes,
    )


def build_report(
    forecast: Forecast, out_dir: str | os.PathLike[str], *, extras: ReportExtras | None = None
) -> Path:
    """Write ``index.html`` and the chart PNGs into ``out_dir``; return the page's path.

    The files are written to a temporary folder beside ``out_dir``, which is moved into
    place only when every file is complete. An existing report folder is replaced as a
    whole, so nothing of the earlier report survives (a chart this report does not draw
    goes with it); a missing folder is created, with its parents.

    Raises
    ------
    NotADirectoryError
        When ``out_dir`` is a file (it is left as it was).
    FileExistsError
        When ``out_dir`` is a folder that holds anything but a report's files
        (``index.html`` and PNG images): it is not replaced, so that no other work is lost.
    OSError
        When the folder cannot be written. An existing report is then left as it was and
        no temporary folder stays behind.
    """
    images = draw_charts(forecast, extras)
    page = render_html(forecast, images, extras)
    files = {**images, "index.html": page.encode("utf-8")}
    _publish(files, Path(out_dir))
    return Path(out_dir) / "index.html"


def _publish(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Write ``files`` to a temporary folder beside ``out_dir``, then move it into place.

    An existing report folder is first moved aside (``.NAME.*.old``), the new folder takes
    its name, and only then is the old one deleted; if the new one cannot take its place,
    the old one is moved back.
    """
    target = Path(os.path.realpath(out_dir))  # a link to a folder: that folder is replaced
    mode = _replaceable_mode(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    umask = _umask()
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp / name, 0o666 & ~umask)
        os.chmod(tmp, 0o777 & ~umask if mode is None else mode)
        if mode is None:
            os.replace(tmp, target)
            return
        old = tmp.with_name(tmp.name.removesuffix(".tmp") + ".old")
        os.rename(target, old)
        try:
            os.rename(tmp, target)
        except BaseException:
            os.rename(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replaceable_mode(target: Path) -> int | None:
    """The permissions of the report folder at ``target``, or None when there is none.

    Raises when ``target`` is a file, a folder this process may not write, the current
    folder, or a folder holding anything a report does not write.
    """
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a folder", str(target))
    if not os.access(target, os.W_OK | os.X_OK):  # as writing into it would be
        raise PermissionError(errno.EACCES, f"{target.name}/ is not writable", str(target))
    if target == Path.cwd():
        raise IsADirectoryError(
            errno.EISDIR,
            f"{target} is the current folder; give the report a folder of its own",
            str(target),
        )
    with os.scandir(target) as entries:
        other = sorted(e.name for e in entries if not _report_file(e))
    if other:
        shown = ", ".join(other[:3]) + (", ..." if len(other) > 3 else "")
        raise FileExistsError(
            errno.EEXIST,
            f"{target.name}/ holds files that are not part of a report ({shown}); "
            "give a new or empty folder, or one holding an earlier report",
            str(target),
        )
    return stat.S_IMODE(info.st_mode)


def _report_file(entry: os.DirEntry[str]) -> bool:
    """Whether a folder entry is a file a report writes: ``index.html`` or a PNG image."""
    named = entry.name == "index.html" or entry.name.endswith(".png")
    return named and entry.is_file(follow_symlinks=False)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- the page ------------------------------------------------------------------------------


def _number(x: float | None, issue: Issue) -> str:
    """``x`` with about four significant digits relative to the issue's scale span."""
    return number(x, issue.scale.max - issue.scale.min)


def _fmt(x: float | None, *, signed: bool = False) -> str:
    """A number from an analysis result with three decimals; "—" where there is none."""
    if x is None or not math.isfinite(float(x)):
        return "—"
    return f"{float(x):+.3f}" if signed else f"{float(x):.3f}"


def _figure(images: Mapping[str, bytes], name: str, alt: str, caption: str) -> str:
    data = base64.b64encode(images[name]).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}">'
        f"<figcaption>{caption} <span class=dim>(also saved as {_e(name)})</span>"
        "</figcaption></figure>"
    )


def _missing(what: str) -> str:
    return f'<p class="missing">Not computed for this report: {what}</p>'


def _note(extras: ReportExtras, section: str) -> str:
    text = extras.notes.get(section)
    return f"<p class=dim>{_e(text)}</p>" if text else ""


def _header(forecast: Forecast) -> str:
    sc = forecast.scenario
    paragraphs = [" ".join(p.split()) for p in sc.description.split("\n\n") if p.strip()]
    rows = [
        ("input sha256", f"<code>{_e(forecast.input_sha256)}</code>"),
        ("seed", _e(forecast.seed)),
        ("samples", _e(forecast.n_samples)),
    ]
    if forecast.rounds is not None:
        rows.append(("rounds", _e(forecast.rounds)))
    rows.append(("version", f"summitry {_e(forecast.summitry_version)}"))
    for name, model in forecast.models.items():
        params = ", ".join(f"{k}={v}" for k, v in model.get_params().items())
        detail = f"<b>{_e(name)}</b>: {_e(model.summary)}"
        rows.append(("model", detail + (f"<br><code>{_e(params)}</code>" if params else "")))
    meta = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    text = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    return f"<header><h1>{_e(sc.name)}</h1>{text}<table class=meta>{meta}</table></header>"


def _forecast_table(forecast: Forecast) -> str:
    data, stops = forecast.to_dict(), forecast.stops()
    models = list(forecast.trajectories)
    rows = []
    for item, issue in zip(data["issues"], forecast.scenario.issues, strict=True):
        cells = [f"<b>{_e(issue.id)}</b><br><span class=dim>{_e(_scale(issue))}</span>"]
        cells.append(_number(issue.status_quo, issue))
        for m in models:
            cell = item["forecasts"][m]
            text = f"<b>{_number(cell['outcome'], issue)}</b>"
            if forecast.n_samples > 1:
                lo, hi = cell["interval"]
                text += f" <span class=dim>[{_number(lo, issue)}, {_number(hi, issue)}]</span>"
            cells.append(f"{text}<br><span class=dim>{_e(stops[m][issue.id].label)}</span>")
        rows.append(cells)
    head = ["issue", "status quo", *map(_e, models)]
    how = "median over samples and its 90 % interval" if forecast.n_samples > 1 else "outcome"
    return (
        f"<p>Each cell: the model's {how} on the issue's own scale, then how it stopped.</p>"
        + _table(head, rows, "num")
    )


def _scale(issue: Issue) -> str:
    return f"scale {issue.scale.min:g} to {issue.scale.max:g}"


def _deal(extras: ReportExtras, images: Mapping[str, bytes], samples: int) -> str:
    if not extras.p_deal:
        return _missing("the probability that the veto players accept the forecast.")
    out = _figure(
        images,
        "deal.png",
        "P(deal) per model, and why the other draws have no deal",
        "Left: share of draws in which every party accepts the model's outcome and it keeps "
        "every link. Right: the deal share and the share of each reason for no deal "
        "(docs/deal.md); older runs show who blocks instead.",
    )
    detail = extras.deal or {}
    shown = [
        r
        for r in REASON_WORDS
        if any((d.get("reasons") or {}).get(r, {}).get("share", 0) > 0 for d in detail.values())
    ]
    head = ["model", "P(deal)", "90 % interval", *(REASON_WORDS[r] for r in shown)]
    rows = []
    for m, p in extras.p_deal.items():
        d = detail.get(m, {})
        lo_hi = d.get("interval")
        cells = [
            _e(m),
            "—" if p is None else f"{float(p):.0%}",
            "—" if not lo_hi else f"{lo_hi[0]:.0%} to {lo_hi[1]:.0%}",
        ]
        for r in shown:
            entry = d["reasons"][r]
            who = ", ".join(list(entry["who"])[:3])
            cell = "—" if entry["share"] <= 0 else f"{entry['share']:.0%}"
            cells.append(cell + (f' <span class="dim">{_e(who)}</span>' if who else ""))
        rows.append(cells)
    analysed = {d.get("reasons_draws") for d in detail.values()} - {None}
    subsample = ""
    if shown and analysed and max(analysed) < samples:
        subsample = (
            f"<p class=dim>Reasons from the first {max(analysed):,} of {samples:,} "
            "draws (a random subsample); P(deal) and its interval from every draw.</p>"
        )
    return out + _table(head, rows, "num") + subsample + _note(extras, "deal")


def _winners(extras: ReportExtras, images: Mapping[str, bytes], sc: Scenario) -> str:
    if not extras.winners:
        return _missing("each actor's gain or loss against the status quo.")
    out = _figure(
        images,
        "winners.png",
        "utility change per actor and model",
        "Bars: change in each actor's utility from the status quo to the forecast, best-off "
        "actor on top; whiskers: the interval.",
    )
    models = list(extras.winners)
    actors = list(dict.fromkeys(a for m in models for a in extras.winners[m]))
    labels = {a.id: a.label for a in sc.actors}
    rows = []
    for a in actors:
        cells = [_e(labels.get(a, a))]
        for m in models:
            v = extras.winners[m].get(a)
            if v is None:
                cells.append("—")
                continue
            mid, lo, hi = (_fmt(x, signed=True) for x in v)
            cells.append(f"{mid} <span class=dim>[{lo}, {hi}]</span>")
        rows.append(cells)
    return out + _table(["actor", *map(_e, models)], rows, "num") + _note(extras, "winners")


def _drivers(extras: ReportExtras, images: Mapping[str, bytes]) -> str:
    if not extras.drivers:
        return _missing("which inputs move each outcome most (variance-based sensitivity).")
    out = _figure(
        images,
        "drivers.png",
        "sensitivity indices per issue",
        "Bars: total-order index ST with its confidence interval; diamonds: first-order "
        "index S1. A group with a large ST moves the outcome, alone or with others.",
    )
    rows = []
    for issue, groups in extras.drivers.items():
        for label, st, conf, s1 in sorted(groups, key=_largest_first)[:5]:
            half = None if conf is None else abs(float(conf))
            rows.append([_e(issue), _e(label), f"{_fmt(st)} ± {_fmt(half)}", _fmt(s1)])
    head = ["issue", "inputs", "ST", "S1"]
    return out + _table(head, rows, "num") + _note(extras, "drivers")


def _largest_first(group: Sequence[Any]) -> float:
    """Sort key of a drivers row: largest ST first, rows without ST last."""
    st = group[1]
    return math.inf if st is None or not math.isfinite(float(st)) else -float(st)


def _inputs(sc: Scenario) -> str:
    issue_rows = [
        [
            f"<b>{_e(i.id)}</b>",
            _e(i.description),
            f"{i.scale.min:g} = {_e(i.scale.low or '—')}<br>{i.scale.max:g} = "
            f"{_e(i.scale.high or '—')}",
            _number(i.status_quo, i),
        ]
        for i in sc.issues
    ]
    out = _table(["issue", "description", "scale", "status quo"], issue_rows)
    rows = []
    for actor in sc.actors:
        cap = f"{actor.capability:g}"
        if actor.capability_sd:
            cap += f" ± {actor.capability_sd:g}"
        cells = [f"<b>{_e(actor.label)}</b><br><span class=dim>{_e(actor.id)}</span>", cap]
        for issue in sc.issues:
            stance = sc.positions.get(actor.id, {}).get(issue.id)
            if stance is None:
                cells.append("<span class=dim>—</span>")
                continue
            text = f"{stance.position:g} <span class=dim>s {stance.salience:g}</span>"
            if issue.id in actor.veto:
                text += " <span class=veto>veto</span>"
            cells.append(text)
        rows.append(cells)
    head = ["actor", "capability", *(_e(i.id) for i in sc.issues)]
    legend = (
        "<p>Each cell: the actor's position on the issue's scale, then its salience (s); "
        "<span class=veto>veto</span> marks an actor whose consent the issue needs.</p>"
    )
    u = sc.uncertainty
    spread = (
        f"<p class=dim>Default uncertainty (standard deviations): position {u.position:g} of "
        f"the scale, salience {u.salience:g}, capability {u.capability:g} of its value.</p>"
    )
    return (
        out
        + legend
        + _table(head, rows, "num")
        + spread
        + perception_inputs_html(sc)
        + _metadata(sc.metadata)
    )


def _metadata(meta: Mapping[str, Any]) -> str:
    if not meta:
        return ""
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_plain(v)}</dd>" for k, v in meta.items())
    return f"<h3>Metadata</h3><dl>{items}</dl>"


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{_e(k)}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "<ul>" + "".join(f"<li>{_plain(v)}</li>" for v in value) + "</ul>"
    return _e(value)


def _evidence(sc: Scenario) -> str:
    if not sc.evidence:
        return "<p class=missing>The scenario cites no evidence.</p>"
    groups: dict[str, list[str]] = {}
    for ev in sc.evidence:
        where = _e(ev.source) + ("" if ev.paragraph is None else f", ¶ {_e(ev.paragraph)}")
        groups.setdefault(ev.supports, []).append(
            f"<li>{_e(ev.rationale)} <span class=src>{where}</span></li>"
        )
    return "".join(
        f"<h3><code>{_e(path)}</code></h3><ul>{''.join(items)}</ul>"
        for path, items in groups.items()
    )


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:#1d1d1f;max-width:1240px;margin:0 auto;padding:0 1.5em 3em;background:#fff}
h1{margin:.8em 0 .2em}h2{margin-top:2em;border-bottom:2px solid #e4e4e7;padding-bottom:.2em}
h3{margin:1.2em 0 .3em;font-size:1em}code{font:13px ui-monospace,Menlo,Consolas,monospace}
nav{font-size:.9em;margin:1em 0}nav a{margin-right:1em;color:#3b5998}dt{font-weight:600}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}dd{margin:0 0 .5em 1.5em}
th,td{border:1px solid #e4e4e7;padding:.3em .6em;text-align:left;vertical-align:top}
thead th,table.meta th{background:#f4f4f5;font-weight:600}table.num td{white-space:nowrap}
img{max-width:100%;height:auto}figure{margin:1em 0}figcaption{font-size:.9em;color:#52525b}
.dim,.src{color:#71717a;font-size:.9em}.src{white-space:nowrap}footer{margin-top:3em}
.veto{background:#fde2e1;color:#9f1239;border-radius:3px;padding:0 .3em;font-size:.8em}
.missing{background:#f4f4f5;border-left:4px solid #a1a1aa;padding:.5em .8em;color:#52525b}
footer{color:#71717a;font-size:.85em}
"""

_FIGURES = (MISCALCULATION_FIGURE, TIMELINE_FIGURE)

_SECTIONS = (
    ("forecast", "Forecast"),
    ("charts", "Trajectories and outcomes"),
    ("deal", "P(deal)"),
    ("winners", "Winners and losers"),
    ("miscalculation", "Miscalculation"),
    ("drivers", "Drivers"),
    ("advice", "Advice"),
    ("timeline", "Timeline"),
    ("inputs", "Inputs"),
    ("evidence", "Evidence"),
)


@dataclass(frozen=True)
class ReportPage:
    """The parts of a report page, to be shown alone (:meth:`html`) or inside another page.

    Attributes
    ----------
    title
        The scenario's name.
    header
        ``<header>`` with the description and what was run.
    nav
        Links to the sections (``<a>`` elements).
    sections
        The ``<section>`` elements, in page order.
    footer
        ``<footer>`` with the version, input hash, seed and samples.
    """

    title: str
    header: str
    nav: str
    sections: str
    footer: str

    css = _CSS
    """The page's style sheet (every rule applies to elements of the report)."""

    def html(self) -> str:
        """The self-contained page."""
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(self.title)}: summitry report</title><style>{_CSS}</style></head>"
            f"<body>{self.header}<nav>{self.nav}</nav>{self.sections}{self.footer}</body>"
            "</html>\n"
        )


def render_html(
    forecast: Forecast, images: Mapping[str, bytes], extras: ReportExtras | None = None
) -> str:
    """The report page as text, with ``images`` (from :func:`draw_charts`) embedded."""
    return render_page(forecast, images, extras).html()


def render_page(
    forecast: Forecast, images: Mapping[str, bytes], extras: ReportExtras | None = None
) -> ReportPage:
    """The report's parts, with ``images`` (from :func:`draw_charts`) embedded."""
    extras = extras or ReportExtras()
    sc = forecast.scenario
    charts_html = _figure(
        images,
        "trajectories.png",
        "positions over rounds",
        "Each actor's position over the rounds of the model with the most rounds; dashed: "
        "the status quo; right of the grey line: each model's outcome (median and 90 % "
        "interval when there are several samples).",
    ) + _figure(
        images,
        "outcomes.png",
        "outcome distribution per model",
        "Each model's outcome per issue: a violin over samples, or one dot per model; "
        "the coloured dashes at the left are the actors' input positions.",
    )
    body = {
        "forecast": _forecast_table(forecast),
        "charts": charts_html,
        "deal": _deal(extras, images, forecast.n_samples),
        "winners": _winners(extras, images, sc),
        "drivers": _drivers(extras, images),
        "inputs": _inputs(sc),
        "evidence": _evidence(sc),
    }
    fig = {spec[0]: _figure(images, *spec) if spec[0] in images else "" for spec in _FIGURES}
    if extras.miscalculation:
        body["miscalculation"] = miscalculation_html(
            extras.miscalculation, forecast, fig["miscalculation.png"]
        )
    if extras.timeline:
        names = {a.id: a.label for a in sc.actors}
        body["timeline"] = timeline_html(extras.timeline, fig["timeline.png"], names)
    if extras.advice is not None:
        from summitry.report.html_advice import advice_html

        chart = ""
        if "advice.png" in images:
            chart = _figure(
                images, "advice.png", "best levers",
                "Mean change in the actor's utility per lever and model, with the 90 % "
                "interval of the mean.",
            )  # fmt: skip
        body["advice"] = advice_html(extras.advice.to_dict(), chart)
    for key in ("miscalculation", "timeline"):
        if key in body:
            body[key] += _note(extras, key)
    shown = [(key, title) for key, title in _SECTIONS if key in body]
    nav = "".join(f'<a href="#{key}">{title}</a>' for key, title in shown)
    sections = "".join(
        f'\n<section id="{key}"><h2>{title}</h2>\n{body[key]}</section>' for key, title in shown
    )
    footer = (
        f"<footer>summitry {_e(forecast.summitry_version)} · input "
        f"{_e(forecast.input_sha256[:12])} · seed {_e(forecast.seed)} · "
        f"{_e(forecast.n_samples)} samples. The same input and seed give the same report."
        "</footer>"
    )
    return ReportPage(
        title=sc.name,
        header=_header(forecast),
        nav=nav,
        sections=sections,
        footer=footer,
    )
