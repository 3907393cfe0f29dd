"""OR, AND and NOT of theta sketches: exact while small, bounds that hold the truth when estimating."""

from __future__ import annotations

from dmp.audience.sketch_algebra import CONFIDENCE, combine, size_of
from dmp.storage.formats import user_sketch


def _sketch(users):
    return user_sketch(f"u{user}" for user in users)


def test_small_counts_are_exact_for_or_and_and_not():
    a, b, c = _sketch(range(0, 100)), _sketch(range(50, 150)), _sketch(range(90, 95))
    assert size_of(combine([a, b], [], "any")) == size_of(_sketch(range(150)))
    union = size_of(combine([a, b], [], "any"))
    assert (union.estimate, union.lower, union.upper, union.exact) == (150, 150, 150, True)
    assert size_of(combine([a, b], [], "all")).estimate == 50
    assert size_of(combine([a, b], [c], "all")).estimate == 45
    assert size_of(combine([a], [b], "any")).estimate == 50


def test_large_sets_estimate_within_their_stated_bounds():
    a, b, c = range(0, 60_000), range(30_000, 90_000), range(40_000, 45_000)
    truths = {"any": len(set(a) | set(b)), "all": len(set(a) & set(b)),
              "all_not": len((set(a) & set(b)) - set(c))}
    sizes = {"any": size_of(combine([_sketch(a), _sketch(b)], [], "any")),
             "all": size_of(combine([_sketch(a), _sketch(b)], [], "all")),
             "all_not": size_of(combine([_sketch(a), _sketch(b)], [_sketch(c)], "all"))}
    for name, size in sizes.items():
        assert not size.exact and size.confidence == CONFIDENCE
        assert size.lower <= truths[name] <= size.upper, (name, size, truths[name])
        assert size.lower < size.estimate < size.upper


def test_an_intersection_with_nothing_in_common_is_empty():
    assert size_of(combine([_sketch(range(10)), _sketch(range(10, 20))], [], "all")).estimate == 0
