"""Run every benchmark: each ``tests/bench/bench_*.py`` module's ``main()``, in name order."""

import importlib
import pkgutil
import sys

import tests.bench as package


def main() -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")
    )
    if not names:
        print("Geen benchmarks gevonden in tests/bench/.", file=sys.stderr)
        return 1
    for name in names:
        print(f"== {name}", flush=True)
        importlib.import_module(f"tests.bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
