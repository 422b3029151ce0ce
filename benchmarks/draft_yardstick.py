"""How well ``summitry draft`` and ``summitry evidence`` do on the two seed documents.

The hand-built Korea scenarios are the yardstick: does the draft find every actor and at
least 4 of the 5 issues, and for what share of the scenarios' evidence entries (those
that cite a seed paragraph for an actor's stance on an issue) is the cited paragraph
among the top 3 passages suggested for that actor and issue? Prints the figures and every
miss; ``--markdown`` prints them as the tables of docs/draft.md.

    python benchmarks/draft_yardstick.py [--seeds ../shared/seeds] [--markdown]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from summitry.draft.check import actor_terms, issue_terms, issue_words, match_actor, stems
from summitry.draft.documents import read_documents
from summitry.draft.passages import PassageIndex
from summitry.draft.skeleton import draft
from summitry.io import load

SCENARIOS = ("korea-singapore-2018", "korea-hanoi-2019")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def issue_matches(drafted, scenario):
    """Each hand-built issue with the drafted issues that cover it.

    A drafted issue covers a hand-built one when its head term, or two of its first
    three words, share a stem with the hand-built issue's id and the first sentence of
    its description (less stopwords and actors' names).
    """
    out = {}
    for issue in scenario.issues:
        first = issue.description.split(".")[0]
        key = stems(w for w in issue_words(scenario, issue.id) if w in first.lower() or
                     w in issue.id.lower())  # fmt: skip
        key |= stems(issue.id.replace("-", " ").split())
        found = []
        for d in drafted:
            words = stems(d.words[:3])
            if d.terms and d.terms[0] in key or len(words & key) >= 2:
                found.append(d.id)
        out[issue.id] = found
    return out


def measure(docs) -> dict:
    """The yardstick's figures on ``docs`` against the hand-built Korea scenarios."""
    result = draft(docs, name="seeds")
    actors = list(result.actors)
    index = PassageIndex(docs)
    names = {d.name for d in docs}
    figures: dict = {"drafted_actors": [(a.id, a.name) for a in actors],
                     "drafted_issues": [(i.id, list(i.words[:4])) for i in result.issues],
                     "scenarios": {}, "misses": []}  # fmt: skip
    hits = total = 0
    found_ids: set[str] = set()
    all_ids: set[str] = set()
    covered_min = None
    for sc_name in SCENARIOS:
        sc = load(sc_name)
        found = {a.id: match_actor(a.id, a.name, actors) for a in sc.actors}
        all_ids |= set(found)
        found_ids |= {a for a, c in found.items() if c is not None}
        covered = issue_matches(result.issues, sc)
        n_cov = sum(1 for v in covered.values() if v)
        covered_min = n_cov if covered_min is None else min(covered_min, n_cov)
        figures["scenarios"][sc_name] = {
            "actors": {a: (c.id if c else None) for a, c in found.items()},
            "issues": covered,
        }
        for k, ev in enumerate(sc.evidence):
            parts = ev.supports.split(".")
            if ev.source not in names or parts[0] != "positions" or len(parts) < 3:
                continue
            cited = {ev.paragraph} if isinstance(ev.paragraph, int) else set()
            if isinstance(ev.paragraph, str) and "-" in ev.paragraph:
                lo, hi = (int(x) for x in ev.paragraph.split("-"))
                cited = set(range(lo, hi + 1))
            if not cited:
                continue
            total += 1
            ranked = index.rank(actor_terms(sc, parts[1], actors), issue_terms(sc, parts[2]), top=3)
            top = [(p.document, p.paragraph) for p in ranked]
            if any((ev.source, n) in top for n in cited):
                hits += 1
            else:
                figures["misses"].append((sc_name, k, ev.supports, ev.source, ev.paragraph, top))
    figures.update(
        actors=len(all_ids), actors_found=len(found_ids), issues=5,
        issues_covered=covered_min or 0, top3_hits=hits, top3_total=total,
        top3_share=hits / total if total else 0.0,
    )  # fmt: skip
    return figures


def main() -> None:
    """Print the yardstick's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    seeds = Path(__file__).parents[2] / "shared" / "seeds"
    parser.add_argument("--seeds", type=Path, default=seeds)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    docs = read_documents(sorted(args.seeds.glob("*.txt")))
    f = measure(docs)
    print("drafted actors: " + ", ".join(f"{i} ({n})" for i, n in f["drafted_actors"]))
    print("drafted issues: " + "; ".join(f"{i} [{', '.join(w)}]" for i, w in f["drafted_issues"]))
    for sc_name, sc in f["scenarios"].items():
        print(f"\n{sc_name}")
        for a, c in sc["actors"].items():
            print(f"  actor {a} -> {c or '-'}")
        for i, v in sc["issues"].items():
            print(f"  issue {i} -> {', '.join(v) or '-'}")
    print(f"\nactors found {f['actors_found']} of {f['actors']}; issues covered "
          f"{f['issues_covered']} of {f['issues']} (in each scenario); evidence entries whose "
          f"cited paragraph is in the top 3: {f['top3_hits']} of {f['top3_total']} "
          f"({f['top3_share']:.0%}); target 70 %")  # fmt: skip
    for sc_name, k, supports, source, para, top in f["misses"]:
        got = ", ".join(f"{d[:3]} ¶{p}" for d, p in top) or "nothing"
        print(f"  miss {sc_name} evidence[{k}] {supports}: cites {source[:3]} ¶{para}; top 3 {got}")
    if args.markdown:
        print("\n| scenario | evidence | supports | cites | top 3 suggested |")
        print("|---|---|---|---|---|")
        for sc_name, k, supports, source, para, top in f["misses"]:
            got = ", ".join(f"{d[:3]} ¶{p}" for d, p in top) or "none"
            print(f"| {sc_name} | [{k}] | `{supports}` | {source[:3]} ¶{para} | {got} |")


if __name__ == "__main__":
    main()
