"""The segment gate's size check: within the configured share of the previous size, either way."""

from __future__ import annotations

from dmp.segments.gate import size_check


def test_sizes_within_bounds_pass_and_sudden_changes_fail():
    assert size_check(140, 100, 0.5)["passed"] and size_check(60, 100, 0.5)["passed"]
    assert not size_check(151, 100, 0.5)["passed"] and not size_check(49, 100, 0.5)["passed"]
    assert size_check(10, None, 0.5)["passed"] and size_check(10, 0, 0.5)["passed"], "nothing to compare with"
    assert size_check(151, 100, 0.5)["change"] == 0.51
