"""What every figure line of the class benchmarks shares: percentiles, the load average
(the machine is shared: a figure without its load says little), and the quick mode that
``make test`` runs (tests/test_bench_class.py) to see each line produced."""

import os
import statistics


def quick() -> bool:
    """LEERPAD_BENCH_QUICK=1: a handful of learners instead of a class."""
    return os.environ.get("LEERPAD_BENCH_QUICK") == "1"


def class_size(full: int, small: int) -> int:
    """LEERPAD_BENCH_CLASS learners, else `full` (or `small` in quick mode)."""
    return int(os.environ.get("LEERPAD_BENCH_CLASS") or (small if quick() else full))


def percentile(values, p: float) -> float:
    """The p-th percentile (nearest rank) of `values`; nan when there are none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def seconds(values) -> str:
    """'p50 1.2 s, p95 3.4 s (n=30)'."""
    if not values:
        return "geen metingen"
    return (
        f"p50 {statistics.median(values):.1f} s, p95 {percentile(values, 95):.1f} s "
        f"(n={len(values)})"
    )


def load() -> str:
    """'load 3.1 2.9 2.5' (1, 5 and 15 minutes)."""
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())
