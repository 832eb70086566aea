"""Runs the main() of every bench/*_bench.py in turn (or of those named on the command line)."""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    wanted = set(sys.argv[1:] if argv is None else argv)
    for path in sorted(HERE.glob("*_bench.py")):
        name = path.stem.removesuffix("_bench")
        if wanted and name not in wanted and path.stem not in wanted:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"##### {path.name}", flush=True)
        started = time.perf_counter()
        saved, sys.argv = sys.argv, [str(path)]  # each benchmark runs with its own defaults
        try:
            module.main()
        finally:
            sys.argv = saved
        print(f"##### {path.name} done in {time.perf_counter() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
