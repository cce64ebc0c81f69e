"""Profile the throughput mix in-process: where a mixed page's time goes.

``python bench/profile_mix.py [--database sqlite|postgresql] [--rounds N]``
signs in as the benchmark does (the manager), requests every page of
``bench.run.MIX`` through the WSGI app ``--rounds`` times under cProfile and
prints each page's median time and the functions that cost most. It uses the
scale-1 database ``bench/run.py`` built (run ``make bench`` or
``bench/run.py --only throughput`` first).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    MIX,
    TRIVIAL,
    app_config,
    database_url,
    sample_ids,
    signed_in_client,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep Python's collector settings (wsgi.py tunes them)",
    )
    parser.add_argument("--page", help="profile only this path of the mix")
    parser.add_argument(
        "--rendered",
        action="store_true",
        help="render every page (no page served again, as right after a write)",
    )
    parser.add_argument("--no-profile", action="store_true", help="only time the pages")
    options = parser.parse_args()

    from tracker import create_app

    app = create_app(
        {
            **app_config(database_url(options.database, 1.0)),
            "REQUEST_LOG": False,
            "PAGE_CACHE": not options.rendered,
        }
    )
    ids = sample_ids(app)
    client = signed_in_client(app, "manager")
    if not options.default_gc:
        from tracker.serving import tune_garbage_collector

        tune_garbage_collector()
    paths = [TRIVIAL, *(path.format(**ids) for path in MIX)]
    if options.page:
        paths = [TRIVIAL, options.page]
    for path in paths:  # warm up: templates compiled, caches filled
        for _ in range(3):
            assert client.get(path).status_code == 200, path
    timings: dict[str, list[float]] = {path: [] for path in paths}
    profiler = cProfile.Profile()
    for _ in range(options.rounds):
        for path in paths[1:]:
            if not options.no_profile:
                profiler.enable()
            started = time.perf_counter()
            client.get(path).get_data()
            timings[path].append((time.perf_counter() - started) * 1000)
            if not options.no_profile:
                profiler.disable()
        started = time.perf_counter()
        client.get(TRIVIAL).get_data()
        timings[TRIVIAL].append((time.perf_counter() - started) * 1000)
    for path, values in timings.items():
        print(f"{statistics.median(values):8.2f} ms  {path}")
    mixed = statistics.mean(statistics.median(timings[p]) for p in paths[1:])
    trivial = statistics.median(timings[TRIVIAL])
    print(
        f"mix mean {mixed:.2f} ms, trivial {trivial:.2f} ms: "
        f"in-process ratio {trivial / mixed:.0%}"
    )
    if not options.no_profile:
        stats = pstats.Stats(profiler)
        stats.sort_stats(options.sort).print_stats(options.top)


if __name__ == "__main__":
    main()
