import math
from pathlib import Path

import numpy as np
import pytest

from summitry.backtest.capabilities import assign
from summitry.backtest.run import BASELINES, batches, run_backtest
from summitry.backtest.stats import paired_interval, score
from summitry.errors import ParameterError, ScenarioError
from summitry.io.deu import read_deu
from summitry.models import MODELS

SMALL = Path(__file__).parents[1] / "data" / "deu" / "small.tsv"


@pytest.fixture(scope="module")
def small():
    return run_backtest(SMALL, bootstrap=500)


# -- known answers on the small file -------------------------------------------------------
# capabilities (pre-Nice): de, fr, uk 10; lu 2; Commission 10; Parliament 10 under COD, 0 under CNS
# p99001i1: (10*50*0 + 10*50*100 + 2*50*50) / (10*50 + 10*50 + 2*50) = 50, outcome 40
# p99001i2: (10*100*20 + 10*100*20 + 10*50*80) / (1000 + 1000 + 500) = 32, outcome 30
# p99002i1: (100 + 0 + 50) / 3 = 50, outcome 60 (all weights 10 x 50)
# p99003i1: (0 + 100) / 2 = 50 (fr's blank salience set to 50), outcome 50
COMPROMISE = [50.0, 32.0, 50.0, 50.0]
OUTCOME = [40.0, 30.0, 60.0, 50.0]


def test_compromise_forecasts_and_scores(small):
    assert [i.issue for i in small.issues] == ["p99001i1", "p99001i2", "p99002i1", "p99003i1"]
    assert [i.issue for i in small.skipped] == ["p99002i2"]
    assert small.predictions["compromise"] == pytest.approx(COMPROMISE)
    s = small.scores["compromise"]
    assert s.n == 4
    assert s.mae == pytest.approx((10 + 2 + 10 + 0) / 4)
    assert s.rmse == pytest.approx(math.sqrt((100 + 4 + 100 + 0) / 4))
    assert s.median_ae == pytest.approx(6.0)
    assert s.diff == 0.0 and s.interval == (0.0, 0.0)


def test_baselines(small):
    assert small.predictions["median-actor"] == pytest.approx([75.0, 20.0, 50.0, 50.0])
    assert small.predictions["mean-actor"] == pytest.approx([62.5, 40.0, 50.0, 50.0])
    median = small.scores["median-actor"]
    assert median.mae == pytest.approx((35 + 10 + 10 + 0) / 4)
    assert median.diff == pytest.approx((25 + 8 + 0 + 0) / 4)
    reference = small.scores["reference-point"]
    assert reference.n == 3  # p99001i2 has no reference point
    assert reference.mae == pytest.approx((40 + 40 + 0) / 3)
    assert reference.reference_mae == pytest.approx((10 + 10 + 0) / 3)
    assert reference.diff == pytest.approx(20.0)


def test_every_model_and_baseline_is_scored(small):
    assert list(small.scores) == [*MODELS, *BASELINES]
    for name, model in MODELS.items():
        assert small.scores[name].n == (3 if model.needs_status_quo else 4)
        assert small.kinds[name] == "model"
    counts = small.counts()
    assert counts["scored"] == 4 and counts["skipped_no_outcome"] == 1
    assert counts["imputed_saliences"] == 1 and counts["dates_repaired"] == 1


def test_model_option_keeps_compromise_first():
    result = run_backtest(SMALL, ["median"], bootstrap=100)
    assert list(result.scores) == ["compromise", "median", *BASELINES]


def test_batches_give_the_forecasts_of_one_issue_at_a_time(small):
    """Grouping issues into batches changes no forecast of any model."""
    for k, issue in enumerate(small.issues):
        scenario = issue.to_scenario(assign(issue).capability)
        for name, cls in MODELS.items():
            if cls.needs_status_quo and issue.reference is None:
                assert np.isnan(small.predictions[name][k])
                continue
            alone = cls().run(scenario.to_arrays(), rng=0).outcome_on_scale()[0, 0]
            assert small.predictions[name][k] == pytest.approx(alone, abs=1e-9), name


def test_batches_group_by_actors_and_reference():
    issues = [i for i in read_deu(SMALL) if i.outcome is not None]
    groups = batches(issues)
    assert sorted(len(b.rows) for b in groups) == [1, 1, 1, 1]
    for batch in groups:
        assert batch.inputs.present.all()
        assert batch.inputs.n_samples == len(batch.rows) and batch.inputs.n_issues == 1
        assert batch.has_reference == all(issues[k].reference is not None for k in batch.rows)


def test_same_actors_share_a_batch(tmp_path):
    lines = SMALL.read_text().splitlines()
    # a copy of p99002i1 under another id, with an outcome: same actors, same batch
    copy = lines[3].replace("p99002i1", "p99002i9")
    text = "\n".join([*lines, copy]) + "\n"
    path = tmp_path / "twice.tsv"
    path.write_text(text)
    result = run_backtest(path, ["compromise"], bootstrap=100)
    assert result.n_batches == 4
    assert result.predictions["compromise"][-1] == result.predictions["compromise"][2]


def test_run_is_deterministic_and_seeded(small):
    again = run_backtest(SMALL, bootstrap=500)
    for name in small.scores:
        assert again.scores[name] == small.scores[name]


def test_bad_parameters():
    with pytest.raises(ParameterError, match="unknown cluster"):
        run_backtest(SMALL, cluster="country")
    with pytest.raises(ParameterError, match="from 100 to"):
        run_backtest(SMALL, bootstrap=10)
    with pytest.raises(ParameterError, match="unknown model 'oracle'"):
        run_backtest(SMALL, ["oracle"])


def test_a_file_without_outcomes(tmp_path):
    lines = SMALL.read_text().splitlines()
    path = tmp_path / "none.tsv"
    path.write_text("\n".join([lines[0], lines[4]]) + "\n")
    with pytest.raises(ScenarioError, match="no issue has a recorded outcome"):
        run_backtest(path)


# -- the bootstrap ----------------------------------------------------------------------


def test_constant_difference_gives_a_point_interval():
    assert paired_interval(np.full(7, 2.5), np.arange(7), bootstrap=200) == (2.5, 2.5)


def test_two_issue_interval_is_exact():
    # means of two draws from {0, 1}: 0, 0.5, 1 with chances 1/4, 1/2, 1/4
    lo, hi = paired_interval(np.array([0.0, 1.0]), np.arange(2), bootstrap=4000)
    assert (lo, hi) == (0.0, 1.0)


def test_clustered_resampling_is_wider_when_issues_cluster():
    diff = np.repeat(np.random.default_rng(3).normal(size=10), 5)  # 10 proposals x 5 issues
    by_issue = paired_interval(diff, np.arange(50), bootstrap=3000)
    by_proposal = paired_interval(diff, np.repeat(np.arange(10), 5), bootstrap=3000)
    assert by_issue[0] <= diff.mean() <= by_issue[1]
    assert by_proposal[1] - by_proposal[0] > 1.5 * (by_issue[1] - by_issue[0])


def test_bootstrap_is_reproducible_and_seeded():
    diff = np.random.default_rng(0).normal(size=30)
    one = paired_interval(diff, np.arange(30), seed=4)
    assert paired_interval(diff, np.arange(30), seed=4) == one
    assert paired_interval(diff, np.arange(30), seed=5) != one


def test_score_skips_issues_without_a_forecast():
    forecast = np.array([10.0, np.nan, 30.0])
    outcome = np.array([0.0, 0.0, 0.0])
    reference = np.array([5.0, 5.0, 5.0])
    s = score(forecast, outcome, reference, bootstrap=200)
    assert s.n == 2 and s.mae == 20.0 and s.reference_mae == 5.0 and s.diff == 15.0
    with pytest.raises(ValueError, match="no forecast"):
        score(np.full(3, np.nan), outcome, reference)


def test_rescore_by_proposal(small):
    clustered = small.rescore("proposal")
    assert clustered.cluster == "proposal"
    assert clustered.predictions is small.predictions
    for name, s in clustered.scores.items():
        assert s.mae == small.scores[name].mae and s.diff == small.scores[name].diff
