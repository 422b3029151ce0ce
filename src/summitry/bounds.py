"""Caps on the size of work one call may ask for, so that no request exhausts the machine.

Each cap is enforced where the work starts (the library raises
:class:`~summitry.errors.ParameterError`) and shown in the CLI's ``--help`` as the option's
range; docs/security.md lists them.
"""

from __future__ import annotations

from summitry.errors import ParameterError

__all__ = [
    "MAX_BOOTSTRAP",
    "MAX_CELLS",
    "MAX_EVENTS",
    "MAX_LISTED_RUNS",
    "MAX_ROUNDS",
    "MAX_SAMPLES",
    "MAX_SEED",
    "MAX_VARIANTS",
    "check_count",
]

MAX_SAMPLES = 1_000_000
"""Most Monte Carlo draws of one forecast."""
MAX_CELLS = 50_000_000
"""Most draws x actors x issues of one batch (about 400 MB per array of floats)."""
MAX_ROUNDS = 10_000
"""Most rounds of an iterative model."""
MAX_SEED = 2**63 - 1
"""Largest seed (the run store keeps seeds as 64-bit integers)."""
MAX_VARIANTS = 100_000
"""Most scenario variants of one sweep."""
MAX_BOOTSTRAP = 100_000
"""Most bootstrap replicates of one interval."""
MAX_EVENTS = 1_000
"""Most dated events in one scenario (each is validated and forecast in turn)."""
MAX_LISTED_RUNS = 10_000
"""Most runs ``summitry runs list --limit N`` shows at once (``summitry.store.LIST_MAX``)."""


def check_count(name: str, value: object, low: int, high: int) -> int:
    """Return ``value`` when it is an integer in ``[low, high]``.

    Raises
    ------
    ParameterError
        Naming ``name``, the value and the range.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"{name} must be an integer from {low:,} to {high:,}; got {value!r}")
    return value
