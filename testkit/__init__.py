"""Support code for the tests (tests/) and the benchmarks (bench/), never shipped with the kit.

One import path for both: ``testkit.<module>`` from the project root (pytest's ``pythonpath = ["."]``;
``python -m bench`` runs from the root). A test folder keeps its own helpers next to its tests only
when nothing outside it needs them.

- ``aws``           boto3 on the embedded AWS: clients, reset, a second emulator process, assumed-role
                    sessions, roles, a student's endpoint, Studio domain and apps, the lesson account;
- ``data``          SageMaker's CSV rows and a Lambda zip, in memory;
- ``cli``           `classroom` as a real process (environment, run, the emulator's URL, stop);
- ``terraform_run`` real Terraform with the offline provider mirror (configurations under terraform/);
- ``teardown``      a class scope and the leftovers a class leaves (Studio, buckets, tuning jobs), and
                    fault injection into real boto3 clients (tests/teardown, bench/bench_teardown.py);
- ``crashpoints``   `classroom up` / `down` as real processes killed at their K-th AWS call
                    (tests/crashpoints, bench/bench_crashpoints.py);
- ``iam_matrix``    the class's principals exercised with IAM enforced (tests/emulator_iam,
                    bench/bench_iam.py).
"""
