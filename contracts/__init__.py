"""The contract suite: rules that judge any implementation of the APIs from the outside."""

# Generated cases per operation and mode (schemathesis' max_examples), for `mlmock check`, the pytest
# plugin and run_suite alike. 10 since issue 9: every defect of the zoo (77) is caught at 5
# (README, "Proof that it finds defects"), and 10 keeps the full default WML run within 45 s on
# 2 cores (43.6 s; 84 s at the former 25, benchmarks/bench_check.py). Raise it for a deeper run.
DEFAULT_MAX_EXAMPLES = 10
