"""Statistics helpers: ratio intervals, U test edge cases, slopes."""

import numpy as np
import pytest

from arenabench.stats import loglog_slope, mann_whitney, min_p_value, ratio_of_medians


def test_ratio_of_medians_interval_covers_the_truth_and_is_reproducible():
    rng = np.random.default_rng(3)
    base = 100 * np.exp(rng.normal(0, 0.03, 10))
    cand = 25 * np.exp(rng.normal(0, 0.03, 10))
    r1, r2 = ratio_of_medians(base, cand), ratio_of_medians(base, cand)
    assert r1 == r2
    assert r1.lo < 4.0 < r1.hi and r1.lo < r1.value < r1.hi


def test_few_repetitions_give_no_interval():
    r = ratio_of_medians([10.0, 11.0], [5.0, 5.0])
    assert r.value == pytest.approx(2.1) and not r.has_ci
    assert r.above(2.0) and not r.above(2.2)


def test_ratio_degenerate_inputs():
    assert ratio_of_medians([], [1.0]) is None
    assert ratio_of_medians([1.0], [0.0]) is None


def test_mann_whitney_edge_cases():
    assert mann_whitney([1.0], [2.0, 3.0]) is None
    assert mann_whitney([5.0] * 4, [5.0] * 4) == 1.0
    assert mann_whitney(np.arange(10) + 100.0, np.arange(10.0), "greater") < 0.001
    assert min_p_value(3, 3) == pytest.approx(0.1)


def test_loglog_slope():
    x = np.array([10, 100, 1000.0])
    assert loglog_slope(x, 3 * x) == pytest.approx(1.0)
    assert loglog_slope(x, np.full(3, 7.0)) == pytest.approx(0.0, abs=1e-12)
    assert loglog_slope([5, 5], [1, 2]) is None
