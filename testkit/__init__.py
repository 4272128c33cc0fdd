"""Support code for the tests (tests/) and the benchmarks (bench/), never shipped with the kit.

One import path for both: ``testkit.<module>`` from the project root (pytest's ``pythonpath = ["."]``;
``python -m bench`` runs from the root). A test folder keeps its own helpers next to its tests only
when nothing outside it needs them.

- ``aws``         boto3 clients on the embedded AWS, its reset, and a student's endpoint (model +
                  config + endpoint) made through boto3;
- ``teardown``    a class scope and the leftovers a class leaves (Studio, buckets, tuning jobs), and
                  fault injection into real boto3 clients (tests/teardown, bench/bench_teardown.py);
- ``crashpoints`` `classroom up` / `down` as real processes killed at their K-th AWS call
                  (tests/crashpoints, bench/bench_crashpoints.py).
"""
