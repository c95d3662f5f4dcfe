"""arenabench plots: charts, the claim-check report and run comparison.

The package turns one arenabench run folder (see ``results/README.md``) into

* ``charts/*.png`` and ``charts/*.svg`` (:mod:`arenabench.charts`),
* ``report.md``, a verdict per claim of the arena recipe, driven by the data
  table ``plots/claims.json`` (:mod:`arenabench.claims`, :mod:`arenabench.rules`,
  :mod:`arenabench.report`),

and compares two runs for CI (:mod:`arenabench.compare`).  The command line is
in :mod:`arenabench.cli`; ``plots/arenabench_plots.py`` is the entry point.
"""

__version__ = "1.0"
