"""Passive judgement: the contract's rules applied to traffic the suite did not generate.

An exchange (a request and its answer, seen by ``mlmock proxy`` or read from a HAR file) is
matched to an operation of the spec, judged against its schemas with openapi-core, then against
the stateful rules the ``x-mlmock-*`` declarations state, using the last observed state of each
resource. Nothing here generates traffic.
"""
