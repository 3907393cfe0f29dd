"""The segment gate's size check: within the configured share of the previous size, either way."""

from __future__ import annotations

from dmp.segments.gate import size_check


def test_sizes_within_bounds_pass_and_sudden_changes_fail():
    assert size_check(140, 100, 0.5)["passed"] and size_check(60, 100, 0.5)["passed"]
    assert not size_check(151, 100, 0.5)["passed"] and not size_check(49, 100, 0.5)["passed"]
    assert size_check(10, None, 0.5)["passed"] and size_check(10, 0, 0.5)["passed"], "nothing to compare with"
    assert size_check(151, 100, 0.5)["change"] == 0.51


def test_small_segments_are_not_judged_by_a_share_but_a_burst_past_the_minimum_is():
    assert size_check(11, 6, 0.5, min_size=100) == {"passed": True, "size": 11, "previous": 6, "change": 0.8333,
                                                     "below_minimum": 100}
    assert not size_check(400, 6, 0.5, min_size=100)["passed"], "grown past the minimum: judged"
    assert not size_check(3, 120, 0.5, min_size=100)["passed"], "a collapse from above the minimum: judged"
    assert not size_check(151, 100, 0.5, min_size=100)["passed"]
