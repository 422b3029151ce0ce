import base64
import hashlib
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from summitry.forecast import forecast
from summitry.ledger import Ledger, Question
from summitry.scenario import Scenario

DATA = Path(__file__).parents[1] / "data"
LATER = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()


def fill(home: Path) -> tuple[str, str]:
    data = yaml.safe_load((DATA / "cli-small.yaml").read_text())
    data["issues"][1]["status_quo"] = 2
    result = forecast(Scenario.from_dict(data), ["compromise", "median"], samples=4, seed=1)
    book = Ledger(home / "runs.sqlite")
    deal = book.seal(result, Question.parse("Will <they> sign?", "A signed text", LATER))
    issue = book.seal(result, Question.parse("Relief?", "UN text", LATER, "issue:sanctions"))
    book.grade(deal["id"], "yes", early=True)
    return deal["id"], issue["id"]


def test_the_ledger_page_lists_questions_status_outcome_and_scores(client, summitry_home):
    empty = client.get("/ledger")
    assert empty.status_code == 200 and "No question sealed yet" in empty.text
    assert not (summitry_home / "runs.sqlite").exists()  # reading creates nothing
    deal, issue = fill(summitry_home)
    r = client.get("/ledger")
    assert r.status_code == 200
    html = r.text
    assert "Will &lt;they&gt; sign?" in html and "<they>" not in html  # escaped
    row = re.search(rf'<tr data-question="{deal}">(.*?)</tr>', html, re.DOTALL).group(1)
    assert "resolved" in row and "yes (early)" in row and LATER in row
    row = re.search(rf'<tr data-question="{issue}">(.*?)</tr>', html, re.DOTALL).group(1)
    assert "open" in row and "issue:sanctions" in row
    scores = re.search(r'<table class="runs" id="scores">(.*?)</table>', html, re.DOTALL).group(1)
    assert 'data-model="compromise"' in scores and 'data-model="chance"' in scores
    assert "0.250" in scores  # the 50 % baseline's Brier score
    assert "Chain intact: 3 entries" in html and 'href="/ledger"' in html


def test_the_ledger_page_is_read_only_and_within_the_policy(client, summitry_home):
    fill(summitry_home)
    r = client.get("/ledger")
    html, policy = r.text, r.headers["content-security-policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert not re.search(r"<[^>]+\s(?:on[a-z]+|style)\s*=", html)
    assert "<form" not in html and "<button" not in html
    for style in re.findall(r"<style>(.*?)</style>", html, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    for method in ("post", "put", "delete"):
        assert getattr(client, method)("/ledger").status_code == 405


def test_a_broken_ledger_is_said_so_without_server_paths(client, summitry_home):
    fill(summitry_home)
    con = sqlite3.connect(summitry_home / "runs.sqlite")
    with con:
        con.execute("DROP TRIGGER ledger_no_delete")
        con.execute("DELETE FROM ledger WHERE seq = 1")
    con.close()
    r = client.get("/ledger")
    assert r.status_code == 200
    assert "The ledger is broken at entry 1" in r.text and "entry 1 was deleted" in r.text
    assert str(summitry_home) not in r.text and 'id="questions"' not in r.text
