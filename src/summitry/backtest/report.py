"""A backtest as a terminal table, JSON, Markdown, an HTML page, and the docs' results block.

Run as a module to regenerate the marked blocks of ``docs/backtest.md`` from a DEU file, so
that no number in it is typed by hand::

    python -m summitry.backtest.report --update docs/backtest.md deu3-development.tsv

The results block (between ``<!-- backtest-results:begin -->`` and
``<!-- backtest-results:end -->``) gets the table of every model and baseline on the whole
file, with intervals resampling issues and resampling proposals; the split block
(``<!-- backtest-split:begin -->`` ... ``end``) lists the proposals of each part of the
protocol's split. Nothing else in the file changes.

Phase 2 (``summitry.backtest.phase2``) adds two steps, run in this order::

    python -m summitry.backtest.report --update docs/backtest.md deu3-development.tsv --tune
    python -m summitry.backtest.report --update docs/backtest.md deu3-development.tsv --held-out

``--tune`` tunes every candidate on the tuning part, writes the record
``backtest-tuning.json`` beside the page and the choices into the tuning block
(``<!-- backtest-tuning:begin -->`` ... ``end``); ``--held-out`` reads that record (the
choices are never made again), checks that the page shows it and that the candidates
still give its tuning MAEs, scores the choices on the held-out part and writes the
held-out block (``<!-- backtest-held-out:begin -->`` ... ``end``).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import Any

from rich.table import Table

from summitry.backtest.run import REFERENCE_MODEL, Backtest, _sha256, run_backtest
from summitry.backtest.split import SPLIT_SEED, split
from summitry.errors import ParameterError
from summitry.io import write_atomic
from summitry.io.deu import read_deu

__all__ = [
    "backtest_table",
    "main",
    "to_dict",
    "to_json",
    "to_markdown",
    "update_docs",
    "update_held_out",
    "update_tuning",
    "write_html",
    "write_markdown",
]

PUBLISHED = {
    "compromise": "about 23.0",
    "eum": "about 27-28",
    "reference-point": "about 44",
    "median-actor": "about 28.4",
}
"""Published MAEs on the full DEU data (``/work/shared/reference/README.md``), shown beside
ours in the docs block; they come from other subsets and capability choices."""

RESULTS_BLOCK = "backtest-results"
SPLIT_BLOCK = "backtest-split"
TUNING_BLOCK = "backtest-tuning"
HELD_OUT_BLOCK = "backtest-held-out"


# -- records ------------------------------------------------------------------------------


def to_dict(result: Backtest) -> dict[str, Any]:
    """The backtest as JSON-ready data in a fixed key order.

    ``models`` maps every model and baseline to ``kind``, ``mae``, ``rmse``,
    ``median_ae``, ``n``, ``mae_diff`` (MAE minus the compromise model's on the same
    issues) and ``vs_compromise`` (its bootstrap 95 % interval); ``issues`` gives each
    scored issue's outcome and every forecast (None where a forecast did not run).
    """
    from summitry.forecast import summitry_version

    models = {}
    for name, s in result.scores.items():
        models[name] = {
            "kind": result.kinds[name],
            "mae": s.mae,
            "rmse": s.rmse,
            "median_ae": s.median_ae,
            "n": s.n,
            "mae_diff": s.diff,
            "vs_compromise": list(s.interval),
        }
    issues = []
    for k, issue in enumerate(result.issues):
        issues.append(
            {
                "issue": issue.issue,
                "proposal": issue.proposal,
                "outcome": issue.outcome,
                "forecasts": {
                    name: _finite(values[k]) for name, values in result.predictions.items()
                },
            }
        )
    return {
        "file": PurePath(result.file).name,
        "input_sha256": result.sha256,
        "summitry_version": summitry_version(),
        "capabilities": result.scheme,
        "seed": result.seed,
        "bootstrap": result.bootstrap,
        "cluster": result.cluster,
        "reference_model": REFERENCE_MODEL,
        "counts": result.counts(),
        "params": result.params,
        "models": models,
        "issues": issues,
    }


def to_json(result: Backtest) -> str:
    """:func:`to_dict` as indented JSON text ending in a newline."""
    return json.dumps(to_dict(result), indent=2) + "\n"


def _finite(x: float) -> float | None:
    return None if x != x else float(x)


# -- terminal -----------------------------------------------------------------------------


def backtest_table(result: Backtest) -> Table:
    """One row per model and baseline: n, MAE, RMSE, median AE, difference and interval."""
    counts = result.counts()
    table = Table(
        title="backtest: absolute error against the adopted outcome (0-100 scale)",
        caption=_caption(result, counts),
    )
    for column, justify in _COLUMNS:
        table.add_column(column, justify=justify)
    for row in _rows(result):
        table.add_row(*row)
    return table


_COLUMNS = (
    ("forecast", "left"),
    ("kind", "left"),
    ("n", "right"),
    ("MAE", "right"),
    ("RMSE", "right"),
    ("median AE", "right"),
    (f"MAE - {REFERENCE_MODEL}", "right"),
    ("95 % interval", "right"),
)


def _rows(result: Backtest, other: Backtest | None = None) -> list[list[str]]:
    rows = []
    for name, s in result.scores.items():
        row = [name, result.kinds[name], str(s.n), f"{s.mae:.2f}", f"{s.rmse:.2f}"]
        row.append(f"{s.median_ae:.2f}")
        if name == REFERENCE_MODEL:
            row += ["(reference)", "-"] + (["-"] if other else [])
        else:
            row += [f"{s.diff:+.2f}", _interval(s.interval)]
            if other is not None:
                row.append(_interval(other.scores[name].interval))
        rows.append(row)
    return rows


def _interval(interval: tuple[float, float]) -> str:
    lo, hi = interval
    return f"[{lo:+.2f}, {hi:+.2f}]"


def _caption(result: Backtest, counts: dict[str, int]) -> str:
    return (
        f"{PurePath(result.file).name} · {counts['scored']} issues with an outcome "
        f"({counts['skipped_no_outcome']} without, skipped) · capabilities {result.scheme} · "
        f"bootstrap {result.bootstrap} by {result.cluster} · seed {result.seed}"
    )


# -- Markdown and HTML ----------------------------------------------------------------------


def to_markdown(result: Backtest, *, by_proposal: Backtest | None = None) -> str:
    """The results table in Markdown, with a line saying what produced it.

    With ``by_proposal`` (the same backtest rescored by proposal), a column gives the
    interval resampling proposals, and a last one the published MAE (:data:`PUBLISHED`).
    """
    columns = [c for c, _ in _COLUMNS]
    align = ["---" if j == "left" else "--:" for _, j in _COLUMNS]
    rows = _rows(result, by_proposal)
    if by_proposal is not None:
        columns[-1] = "95 % interval, issues resampled"
        columns += ["95 % interval, proposals resampled", "published MAE"]
        align += ["--:", "--:"]
        rows = [r + [PUBLISHED.get(r[0], "")] for r in rows]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    counts = result.counts()
    lines += [
        "",
        f"{counts['scored']} issues with a recorded outcome from {counts['scored_proposals']} "
        f"proposals ({counts['skipped_no_outcome']} issues without one skipped; "
        f"{counts['scored_with_reference']} with a reference point); file "
        f"`{PurePath(result.file).name}`, SHA-256 `{result.sha256[:16]}...`; capabilities "
        f"`{result.scheme}`; seed {result.seed}; {result.bootstrap} bootstrap replicates; "
        f"every model at its default parameters; {counts['batches']} batches; "
        f"{counts['imputed_saliences']} blank saliences set to 50; "
        f"{counts['council_advanced']} issues given a later Council table; "
        f"{counts['dates_repaired']} dates read back from a spreadsheet's mangling.",
    ]
    return "\n".join(lines) + "\n"


def write_markdown(result: Backtest, path: str | Path) -> Path:
    """Write a Markdown summary to ``path`` and its chart beside it (``<stem>.png``)."""
    from summitry.backtest.chart import error_chart
    from summitry.report.charts import png_bytes

    target = Path(path)
    image = target.with_suffix(".png")
    text = (
        f"# Backtest: {PurePath(result.file).name}\n\n"
        + to_markdown(result)
        + f"\n![absolute errors and MAE differences]({image.name})\n"
    )
    png = png_bytes(error_chart(result))
    write_atomic(image, png)
    write_atomic(target, text)
    return target


def write_html(result: Backtest, folder: str | Path) -> Path:
    """Write ``index.html`` (chart embedded) and ``backtest.png`` into ``folder``."""
    from summitry.backtest.chart import error_chart
    from summitry.report.charts import png_bytes

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    png = png_bytes(error_chart(result))
    head = "".join(f"<th>{html.escape(c)}</th>" for c, _ in _COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
        for row in _rows(result)
    )
    title = f"Backtest: {PurePath(result.file).name}"
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(_caption(result, result.counts()))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>{html.escape(_NOTE)}</p>"
        f'<figure><img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
        'alt="absolute errors and MAE differences"></figure></body></html>\n'
    )
    write_atomic(out / "backtest.png", png)
    write_atomic(out / "index.html", page)
    return out / "index.html"


_NOTE = (
    "MAE - compromise: the forecast's MAE minus the compromise model's MAE on the same issues; "
    "the interval is a paired bootstrap 95 % interval of that difference. An interval "
    "entirely below 0 is a win over the compromise model."
)
_CSS = (
    "body{font-family:sans-serif;max-width:960px;margin:2em auto}"
    "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
    "text-align:right}td:first-child,th:first-child,td:nth-child(2){text-align:left}"
    "img{max-width:100%}"
)


# -- the docs block ---------------------------------------------------------------------------


def update_docs(doc: str | Path, file: str | Path, *, chart: str | Path | None = None) -> None:
    """Replace the results and split blocks of ``doc`` with those computed from ``file``.

    Raises
    ------
    ValueError
        When ``doc`` lacks a block's begin or end marker.
    """
    result = run_backtest(file)
    by_proposal = result.rescore("proposal")
    shown = Path(doc).name if Path(doc).is_absolute() else Path(doc).as_posix()
    command = f"python -m summitry.backtest.report --update {shown} {Path(file).name}"
    results = (
        f"Generated by `{command}`. Intervals: paired bootstrap of the MAE difference, "
        f"{result.bootstrap} replicates, seed {result.seed}.\n\n"
        + to_markdown(result, by_proposal=by_proposal)
    )
    text = Path(doc).read_text(encoding="utf-8")
    text = _replace_block(text, RESULTS_BLOCK, results)
    text = _replace_block(text, SPLIT_BLOCK, _split_markdown(result))
    write_atomic(doc, text)
    if chart is not None:
        from summitry.backtest.chart import error_chart
        from summitry.report.charts import png_bytes

        write_atomic(chart, png_bytes(error_chart(result)))


def _split_markdown(result: Backtest) -> str:
    every = [*result.issues, *result.skipped]
    parts = split(every)
    lines = [f"Seed {SPLIT_SEED}, {len(parts.tuning) + len(parts.held_out)} proposals.", ""]
    for name, ids in (("tuning", parts.tuning), ("held-out", parts.held_out)):
        issues = parts.part(every, name)
        scored = [i for i in issues if i.outcome is not None]
        cod = sum(i.procedure == "COD" for i in scored)
        lines.append(
            f"- **{name}**: {len(ids)} proposals, {len(issues)} issues, {len(scored)} with an "
            f"outcome ({cod} co-decision, {len(scored) - cod} consultation): "
            + ", ".join(f"`{p}`" for p in ids)
        )
    return "\n".join(lines) + "\n"


def _replace_block(text: str, name: str, content: str) -> str:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"no block {begin} ... {end} in the document")
    return pattern.sub(lambda _: f"{begin}\n{content}{end}", text, count=1)


def _command(doc: str | Path, file: str | Path, flag: str = "") -> str:
    shown = Path(doc).name if Path(doc).is_absolute() else Path(doc).as_posix()
    tail = f" {flag}" if flag else ""
    return f"python -m summitry.backtest.report --update {shown} {Path(file).name}{tail}"


def update_tuning(
    doc: str | Path, file: str | Path, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Phase 2, step 1: tune every candidate on the tuning part of ``file``.

    Writes the record (:data:`~summitry.backtest.phase2.RECORD`, beside ``doc``) and the
    tuning block of ``doc``; returns the record.

    Raises
    ------
    ValueError
        When ``doc`` lacks the tuning block's markers.
    """
    from summitry.backtest.phase2 import RECORD, record_json, run_tuning, tuning_markdown

    text = Path(doc).read_text(encoding="utf-8")
    _replace_block(text, TUNING_BLOCK, "")  # fail before the work when the markers lack
    issues = read_deu(file)
    data = run_tuning(issues, file=file, sha256=_sha256(Path(file)), progress=progress)
    block = tuning_markdown(data, _command(doc, file, "--tune"))
    write_atomic(Path(doc).with_name(RECORD), record_json(data))
    write_atomic(doc, _replace_block(text, TUNING_BLOCK, block))
    return data


def update_held_out(
    doc: str | Path,
    file: str | Path,
    *,
    bootstrap: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Phase 2, step 2: judge the recorded choices once on the held-out part of ``file``.

    Reads the record beside ``doc`` (the choices are never made again) and refuses unless
    ``doc``'s tuning block shows exactly that record, so that the choices are on the page
    before any held-out score is computed, and unless every candidate still gives the
    recorded tuning MAEs (:func:`~summitry.backtest.phase2.run_held_out`). Writes the
    held-out block of ``doc``.

    Raises
    ------
    ValueError
        When ``doc`` lacks a block's markers or its tuning block does not show the record.
    ParameterError
        When there is no record, or the file, split or a candidate differs from the ones
        tuned (:func:`~summitry.backtest.phase2.run_held_out`).
    """
    from summitry.backtest.phase2 import (
        BOOTSTRAP,
        RECORD,
        held_out_markdown,
        read_record,
        run_held_out,
        tuning_markdown,
    )

    path = Path(doc).with_name(RECORD)
    if not path.exists():
        raise ParameterError(f"no tuning record {path}; run with --tune first")
    data = read_record(path)
    text = Path(doc).read_text(encoding="utf-8")
    shown = tuning_markdown(data, _command(doc, file, "--tune"))
    if _block(text, TUNING_BLOCK) != shown:
        raise ValueError(
            f"the tuning block of {doc} does not show the record {path.name}; "
            "write the choices on the page (--tune) before scoring the held-out part"
        )
    _replace_block(text, HELD_OUT_BLOCK, "")
    replicates = BOOTSTRAP if bootstrap is None else bootstrap
    verdicts = run_held_out(
        read_deu(file), data, sha256=_sha256(Path(file)), bootstrap=replicates, progress=progress
    )
    block = held_out_markdown(verdicts, data, _command(doc, file, "--held-out"), replicates)
    write_atomic(doc, _replace_block(text, HELD_OUT_BLOCK, block))


def _block(text: str, name: str) -> str:
    begin, end = f"<!-- {name}:begin -->\n", f"<!-- {name}:end -->"
    start = text.find(begin)
    stop = text.find(end, start)
    if start < 0 or stop < 0:
        raise ValueError(f"no block {begin.strip()} ... {end} in the document")
    return text[start + len(begin) : stop]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m summitry.backtest.report --update DOC FILE [--chart PNG|--tune|--held-out]``."""
    parser = argparse.ArgumentParser(
        prog="python -m summitry.backtest.report",
        description="Regenerate the results and split blocks of docs/backtest.md (phase 1), "
        "or with --tune / --held-out the blocks of phase 2.",
    )
    parser.add_argument("file", help="the DEU development file")
    parser.add_argument("--update", required=True, metavar="DOC", help="Markdown file to update")
    parser.add_argument("--chart", metavar="PNG", help="also write the error chart here")
    step = parser.add_mutually_exclusive_group()
    step.add_argument(
        "--tune", action="store_true", help="phase 2: tune the candidates, record the choices"
    )
    step.add_argument(
        "--held-out", action="store_true", help="phase 2: judge the recorded choices once"
    )
    args = parser.parse_args(argv)
    if args.tune:
        update_tuning(args.update, args.file, progress=lambda line: print(line, file=sys.stderr))
    elif args.held_out:
        update_held_out(args.update, args.file, progress=lambda line: print(line, file=sys.stderr))
    else:
        update_docs(args.update, args.file, chart=args.chart)
    print(f"updated {args.update}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
