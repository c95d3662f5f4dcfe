"""Statistics: ratios of medians with bootstrap intervals, and the U test.

Timings on shared machines are noisy and skewed (a few slow repetitions), so
everything here works on medians and rank tests, never on means.

* :func:`ratio_of_medians` -- ``median(num) / median(den)`` with a 95 %
  percentile-bootstrap interval: each side is resampled independently
  (repetitions are independent runs), with a fixed seed so that a report is
  reproducible byte for byte.  Fewer than :data:`MIN_REPS_FOR_CI`
  repetitions on either side give no interval (``lo``/``hi`` are None).
* :func:`mann_whitney` -- scipy's Mann-Whitney U test, with the degenerate
  cases (too few samples, all values equal) answered without scipy warnings.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

#: Seed of every bootstrap: same data, same interval.
SEED = 20240518
#: Bootstrap resamples per interval.
N_BOOT = 2000
#: Fewer repetitions than this on a side: no interval (a bootstrap of 1 or 2
#: values is not an interval, it is a guess).
MIN_REPS_FOR_CI = 3


@dataclass(frozen=True)
class Ratio:
    """A ratio of medians and its interval (None when not computable)."""

    value: float
    lo: float | None = None
    hi: float | None = None
    n_num: int = 1
    n_den: int = 1

    @property
    def has_ci(self) -> bool:
        """True if an interval was computed."""
        return self.lo is not None and self.hi is not None

    def above(self, threshold: float) -> bool:
        """True if the ratio is credibly above ``threshold``.

        With an interval: its lower end is above.  Without one (too few
        repetitions): the point estimate is above.
        """
        return (self.lo if self.has_ci else self.value) > threshold

    def below(self, threshold: float) -> bool:
        """True if the ratio is credibly below ``threshold`` (see :meth:`above`)."""
        return (self.hi if self.has_ci else self.value) < threshold

    def fmt(self, digits: int = 2, unit: str = "x") -> str:
        """``"8.1x [7.6, 8.9]"`` or ``"8.1x"`` without interval."""
        text = f"{fmt_num(self.value, digits)}{unit}"
        if self.has_ci:
            text += f" [{fmt_num(self.lo, digits)}, {fmt_num(self.hi, digits)}]"
        return text


def fmt_num(x: float | None, digits: int = 2) -> str:
    """Readable number: 3 significant digits, no scientific notation below 1e6."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e6:
        return f"{x:.3g}"
    if ax >= 100:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}" if digits >= 2 else f"{x:.0f}"
    if ax >= 0.01:
        return f"{x:.{digits}f}"
    return f"{x:.2g}"


def _clean(values) -> np.ndarray:
    """A float array without NaNs."""
    arr = np.asarray(values, dtype=float)
    return arr[~np.isnan(arr)]


def ratio_of_medians(num, den, level: float = 0.95, n_boot: int = N_BOOT, seed: int = SEED) -> Ratio | None:
    """``median(num) / median(den)`` with a percentile-bootstrap interval.

    Returns None when either side is empty or the denominator's median is 0.
    """
    num, den = _clean(num), _clean(den)
    if num.size == 0 or den.size == 0:
        return None
    m_den = float(np.median(den))
    if m_den == 0:
        return None
    value = float(np.median(num)) / m_den
    if min(num.size, den.size) < MIN_REPS_FOR_CI:
        return Ratio(value, None, None, int(num.size), int(den.size))
    rng = np.random.default_rng(seed)
    boot_num = np.median(num[rng.integers(0, num.size, (n_boot, num.size))], axis=1)
    boot_den = np.median(den[rng.integers(0, den.size, (n_boot, den.size))], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = boot_num / boot_den
    ratios = ratios[np.isfinite(ratios)]
    if ratios.size == 0:
        return Ratio(value, None, None, int(num.size), int(den.size))
    tail = (1.0 - level) / 2.0 * 100.0
    lo, hi = np.percentile(ratios, [tail, 100.0 - tail])
    return Ratio(value, float(lo), float(hi), int(num.size), int(den.size))


def mann_whitney(candidate, base, alternative: str = "two-sided") -> float | None:
    """p-value of the Mann-Whitney U test of ``candidate`` against ``base``.

    ``alternative`` is scipy's: ``two-sided``, ``greater`` (candidate tends
    to be larger, i.e. slower for times) or ``less``.  Returns None when a
    side has fewer than 2 samples (no test possible) and 1.0 when all values
    are equal (no evidence of any difference).
    """
    from scipy.stats import mannwhitneyu

    candidate, base = _clean(candidate), _clean(base)
    if candidate.size < 2 or base.size < 2:
        return None
    if np.ptp(np.concatenate([candidate, base])) == 0:
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = mannwhitneyu(candidate, base, alternative=alternative)
    p = float(result.pvalue)
    return 1.0 if math.isnan(p) else p


def min_p_value(n1: int, n2: int, alternative: str = "two-sided") -> float:
    """Smallest p-value the exact U test can reach with these sample sizes.

    With 3 vs 3 repetitions it is 0.1 (two-sided): no difference can ever be
    significant at alpha 0.05, which the compare report points out.
    """
    if n1 < 1 or n2 < 1:
        return 1.0
    p = 1.0 / math.comb(n1 + n2, n1)
    return min(1.0, 2 * p if alternative == "two-sided" else p)


def cv(values) -> float | None:
    """Coefficient of variation (robust: MAD / median), or None."""
    arr = _clean(values)
    if arr.size < 2:
        return None
    med = float(np.median(arr))
    if med == 0:
        return None
    return float(np.median(np.abs(arr - med))) * 1.4826 / abs(med)


def loglog_slope(x, y) -> float | None:
    """Least-squares slope of log(y) against log(x) (the scaling exponent).

    0 means flat (O(1) per item), 1 means proportional.  None with fewer than
    two distinct positive x values.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if np.unique(x).size < 2:
        return None
    slope, _ = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope)
