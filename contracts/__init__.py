"""The contract suite: rules that judge any implementation of the APIs from the outside."""

# Generated cases per operation and mode (schemathesis' max_examples), for `mlmock check`, the pytest
# plugin and run_suite alike. 10 since issue 9: every defect of the zoo (77) is caught at 5
# (README, "Proof that it finds defects"); the full default WML run on 2 cores took 43.6-59.5 s at
# 10 against 84 s at the former 25 (benchmarks/bench_check.py, README "Run times"). Raise it for a
# deeper run.
DEFAULT_MAX_EXAMPLES = 10
