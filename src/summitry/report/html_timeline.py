"""Report sections about beliefs and events: miscalculation, timeline, and their inputs.

:mod:`summitry.report.html` assembles the page; the functions here write three of its
parts as HTML text: the miscalculation tables (each actor's own forecast against the
forecast), the timeline table (the forecast after every event date) and the lists of
messages, beliefs and events, each with its evidence, among the inputs. Every value
taken from the scenario is escaped. :func:`timeline_for` runs the timeline the report
shows, with the forecast's own models, seed and samples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from summitry.forecast import Forecast
from summitry.report.html_parts import escape as _e
from summitry.report.html_parts import number as _num
from summitry.report.html_parts import table as _table
from summitry.scenario import Evidence, Scenario

__all__ = [
    "MISCALCULATION_FIGURE",
    "TIMELINE_FIGURE",
    "as_record",
    "main_model",
    "miscalculation_html",
    "perception_inputs_html",
    "timeline_for",
    "timeline_html",
]


MISCALCULATION_FIGURE = (
    "miscalculation.png",
    "miscalculation score per actor and model",
    "Bars: each actor's miscalculation score per model, largest on top; whiskers: the 90 % "
    "interval when there are several samples.",
)
"""File name, alt text and caption of the miscalculation chart."""

TIMELINE_FIGURE = (
    "timeline.png",
    "forecast after each event date",
    "Each model's forecast per issue after each event date (lines; shaded: the 90 % interval "
    "when there are several samples), the status quo (dashed grey) and P(deal).",
)
"""File name, alt text and caption of the timeline chart."""


def main_model(models: Sequence[str]) -> str:
    """The model whose numbers the tables show: ``eum`` when it ran, else the first."""
    return "eum" if "eum" in models else models[0]


def timeline_for(forecast: Forecast) -> dict[str, Any] | None:
    """The timeline record of the forecast's scenario, run as the forecast was run.

    Same models, seed and samples (a fixed number of rounds is not carried over). None
    when the scenario has no events.
    """
    if not forecast.scenario.events:
        return None
    from summitry.report.timeline_view import timeline_record
    from summitry.timeline import run_timeline

    steps = run_timeline(
        forecast.scenario,
        list(forecast.models.values()),
        seed=forecast.seed,
        samples=forecast.n_samples,
    )
    return timeline_record(steps)


def as_record(timeline: Any) -> dict[str, Any] | None:
    """A timeline record from :func:`~summitry.timeline.run_timeline`'s steps or a record."""
    if not timeline:
        return None
    if isinstance(timeline, Mapping):
        return dict(timeline)
    from summitry.report.timeline_view import timeline_record

    return timeline_record(timeline)


# -- small helpers -------------------------------------------------------------------------


def _dim(text: str) -> str:
    return f"<span class=dim>{text}</span>"


# -- miscalculation ------------------------------------------------------------------------


def miscalculation_html(
    scored: Mapping[str, Sequence[Mapping[str, Any]]],
    forecast: Forecast,
    figure: str,
) -> str:
    """The miscalculation section: explanation, chart, scores per model, own forecasts.

    ``scored`` is the forecast record's ``"miscalculation"`` entry; ``figure`` the chart
    as HTML.
    """
    sc = forecast.scenario
    labels = {a.id: a.label for a in sc.actors}
    many = forecast.n_samples > 1
    models = list(scored)
    explain = (
        "<p>Each actor decides on what it believes. Where an actor believes something "
        "other than the truth (a belief, or a message it was told), it expects a different "
        "outcome from the one the model forecasts with everyone's true inputs. To find that "
        "expectation the model is run again on the inputs as the actor sees them. The "
        "score is the gap between the actor's own forecast and the forecast, averaged over "
        "the issues with the weight the actor gives each issue, in points of a 0-100 scale: "
        "0 means the actor foresees the forecast exactly, 10 that it expects, on average, "
        "an outcome a tenth of the scale away. An actor with a high score is the one likely "
        "to be surprised, to overplay its hand or to walk away.</p>"
    )
    how = "median score over samples and its 90 % interval" if many else "score"
    rows = []
    for actor in [r["actor"] for r in scored[models[0]]]:
        cells = [_e(labels.get(actor, actor))]
        for m in models:
            r = next((x for x in scored[m] if x["actor"] == actor), None)
            if r is None:
                cells.append("—")
                continue
            text = f"<b>{_num(r['score'])}</b>" if r["score"] >= 1 else _num(r["score"])
            if many:
                lo, hi = r["interval"]
                text += " " + _dim(f"[{_num(lo)}, {_num(hi)}]")
            cells.append(text)
        rows.append(cells)
    scores = _table(["actor", *map(_e, models)], rows, "num")
    main = main_model(models)
    return (
        explain
        + figure
        + f"<p>Each cell: the actor's {how}, per model.</p>"
        + scores
        + _own_forecasts(scored[main], forecast, main, labels)
    )


def _own_forecasts(
    rows: Sequence[Mapping[str, Any]], forecast: Forecast, model: str, labels: Mapping[str, str]
) -> str:
    """Per actor and issue: the actor's own forecast and its gap to the forecast."""
    issues = forecast.scenario.issues
    span = {i.id: i.scale.max - i.scale.min for i in issues}
    record = {i["id"]: i for i in forecast.to_dict()["issues"]}
    head = ["", *(f"{_e(i.id)}<br>{_dim(f'{i.scale.min:g} to {i.scale.max:g}')}" for i in issues)]
    outcome = {i.id: record[i.id]["forecasts"][model]["outcome"] for i in issues}
    body = [["<b>forecast</b>", *(f"<b>{_num(outcome[i.id], span[i.id])}</b>" for i in issues)]]
    for r in rows:
        cells = [_e(labels.get(r["actor"], r["actor"]))]
        for i in issues:
            cell = r["issues"].get(i.id)
            if cell is None:
                cells.append("—")
                continue
            own, gap = _num(cell["own"], span[i.id]), cell["gap"]
            moved = gap is not None and abs(gap) >= 0.005 * span[i.id]
            cells.append(own + (" " + _dim(_num(gap, span[i.id], signed=True)) if moved else ""))
        body.append(cells)
    many = (
        " With several samples each number is a median over samples, and the gap the median "
        "of the gaps in each sample, so an own forecast and the forecast can differ a little "
        "where no gap is shown."
    )
    return (
        f"<h3>Own forecasts ({_e(model)})</h3><p>The first row is the {_e(model)} forecast on "
        "each issue's scale; below it, each actor's own forecast and, in grey, the gap: own "
        "forecast minus forecast, left out where it is nil."
        + many * (forecast.n_samples > 1)
        + "</p>"
        + _table(head, body, "num")
    )


# -- timeline ------------------------------------------------------------------------------


def timeline_html(
    record: Mapping[str, Any], figure: str, labels: Mapping[str, str] | None = None
) -> str:
    """The timeline section: chart and one row per event date for the main model.

    ``labels`` are actor names by id.
    """
    model = main_model(record["models"])
    steps = record["steps"]
    many = int(record["samples"]) > 1
    issues = record["issues"]
    span = {i["id"]: float(i["scale"][1]) - float(i["scale"][0]) for i in issues}
    has_deal = any(s.get("p_deal") for s in steps)
    has_misc = any(s.get("miscalculation") for s in steps)
    rows, previous = [], {}
    for step in steps:
        if step["events"]:
            events = "<br>".join(
                _e(e["label"]) + (f"<br>{_dim(_e(e['date_note']))}" if e.get("date_note") else "")
                for e in step["events"]
            )
        else:
            events = _dim("start: the inputs as written")
        cells = [_e(step["date"] or "start"), events]
        for issue in issues:
            iid = issue["id"]
            cell = step["forecasts"][model][iid]
            text = f"<b>{_num(cell['outcome'], span[iid])}</b>"
            if many:
                lo, hi = cell["interval"]
                text += "<br>" + _dim(f"[{_num(lo, span[iid])},&nbsp;{_num(hi, span[iid])}]")
            sq = step["status_quo"].get(iid)
            if iid in previous and sq != previous[iid] and sq is not None:
                text += "<br>" + _dim(f"status&nbsp;quo&nbsp;now&nbsp;{_num(sq, span[iid])}")
            previous[iid] = sq
            cells.append(text)
        if has_deal:
            p = (step.get("p_deal") or {}).get(model)
            why = (step.get("why") or {}).get(model)
            text = "—" if p is None else f"{float(p):.0%}"
            cells.append(text + (f"<br>{_dim(_e(why))}" if why else ""))
        if has_misc:
            scores = (step.get("miscalculation") or {}).get(model)
            cells.append(_largest_miscalculation(scores, labels or {}))
        rows.append(cells)
    head = ["date", "events", *(_e(i["id"]) for i in issues)]
    head += ["P(deal)"] * has_deal + ["most miscalculating"] * has_misc
    how = "median over samples and its 90 % interval" if many else "forecast"
    return (
        "<p>The scenario's events applied in date order: the first row is the scenario as "
        "written (the forecast above); each later row is the forecast after every event up "
        "to that date, with the same models, seed and samples. Events on one date are "
        "applied together.</p>"
        + figure
        + f"<p>Each issue cell: the {_e(model)} {how}; where the date's events moved the "
        "status quo, its new value is shown under it."
        + (" Last column: the actor whose own forecast is farthest off, and its score." * has_misc)
        + "</p>"
        + _table(head, rows)
        + f"<p class=dim>{len(steps) - 1} event date{'s' if len(steps) != 2 else ''}; seed "
        f"{_e(record['seed'])}, {_e(record['samples'])} sample{'s' if many else ''} per date.</p>"
    )


def _largest_miscalculation(scores: Mapping[str, float] | None, labels: Mapping[str, str]) -> str:
    if not scores:
        return "—"
    actor, score = max(scores.items(), key=lambda kv: (kv[1], kv[0]))
    return f"{_e(labels.get(actor, actor))} {_num(score)}" if score >= 0.05 else "—"


# -- messages, beliefs and events among the inputs -----------------------------------------


def perception_inputs_html(sc: Scenario) -> str:
    """Tables of the scenario's messages, beliefs and events, each with its evidence."""
    labels = {a.id: a.label for a in sc.actors}

    def name(actor: str) -> str:
        return _e(labels.get(actor, actor))

    out = []
    if sc.messages:
        rows = [
            [
                f"<code>{_e(m.id)}</code>",
                f"{name(m.sender)} → {', '.join(map(name, m.audience))}",
                _e(m.issue),
                f"{m.position:g}" + ("" if m.salience is None else _dim(f" s {m.salience:g}")),
                _cited(sc.evidence, lambda p, m=m: p == ["messages", m.id]),
            ]
            for m in sc.messages
        ]
        out.append(
            "<h3>Messages</h3><p>What a sender tells its audience about its own position; "
            "each audience believes it.</p>"
            + _table(["message", "from → to", "issue", "position", "evidence"], rows)
        )
    if sc.beliefs:
        rows = [
            [
                name(b.observer),
                name(b.about),
                _belief_text(b),
                _cited(sc.evidence, lambda p, b=b: p[:3] == ["beliefs", b.observer, b.about]),
            ]
            for b in sc.beliefs
        ]
        out.append(
            "<h3>Beliefs</h3><p>What an actor believes about another where it differs from "
            "the inputs above; anything not listed is believed as it is.</p>"
            + _table(["who believes", "about", "what", "evidence"], rows)
        )
    if sc.events:
        rows = [
            [
                _e(ev.date) + (f"<br>{_dim(_e(ev.date_note))}" if ev.date_note else ""),
                f"<b>{_e(ev.label)}</b><br>{_dim(f'<code>{_e(ev.id)}</code>')}",
                "<br>".join(_change_text(c, name) for c in ev.changes),
                _cited(sc.evidence, lambda p, ev=ev: p == ["events", ev.id]),
            ]
            for ev in sc.events
        ]
        out.append(
            "<h3>Events</h3><p>Dated changes to the inputs; the timeline applies them in "
            "order. The forecast above is for the inputs before any event.</p>"
            + _table(["date", "event", "changes", "evidence"], rows)
        )
    return "".join(out)


def _cited(evidence: Sequence[Evidence], match: Any) -> str:
    items = [
        f"{_e(ev.rationale)} <span class=src>{_e(ev.source)}"
        + ("" if ev.paragraph is None else f", ¶ {_e(ev.paragraph)}")
        + "</span>"
        for ev in evidence
        if match(ev.supports.split("."))
    ]
    return "<br>".join(items) or _dim("none cited")


def _belief_text(b: Any) -> str:
    parts = []
    if b.position is not None:
        parts.append(f"position {b.position:g}")
    if b.salience is not None:
        parts.append(f"salience {b.salience:g}")
    text = f"{', '.join(parts)} on {_e(b.issue)}" if parts else ""
    if b.capability is not None:
        text += ("; " if text else "") + f"capability {b.capability:g}"
    return text


def _amount(change: Any) -> str:
    return f"to {change.to:g}" if change.to is not None else f"by {change.by:+g}"


def _change_text(c: Any, name: Any) -> str:
    """One change of an event in words."""
    kind = c.kind
    if kind in ("position", "salience"):
        return f"{name(c.actor)}: {kind} on {_e(c.issue)} {_amount(c)}"
    if kind == "capability":
        return f"{name(c.actor)}: capability {_amount(c)}"
    if kind == "status_quo":
        return f"status quo of {_e(c.issue)} {_amount(c)}"
    if kind in ("join", "leave"):
        return f"{name(c.actor)} {kind}s"
    if kind == "veto":
        return f"{name(c.actor)} {'gains' if c.holds else 'loses'} a veto on {_e(c.issue)}"
    if kind == "belief":
        return f"{name(c.observer)} now believes of {name(c.about)}: {_belief_text(c)}"
    if kind == "message":
        to = ", ".join(map(name, c.audience))
        salience = "" if c.salience is None else f" (salience {c.salience:g})"
        return f"{name(c.sender)} tells {to}: position {c.position:g} on {_e(c.issue)}{salience}"
    return _e(kind)
