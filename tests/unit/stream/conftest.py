"""The comparison the Spark transform tests share: same schema (nullability aside) and same rows, in any order."""

from __future__ import annotations

import functools

import pytest


@pytest.fixture(scope="session")
def assert_frames_equal():
    """chispa's DataFrame equality, ignoring row order and nullability (literals are never null)."""
    from chispa import assert_df_equality

    return functools.partial(assert_df_equality, ignore_row_order=True, ignore_nullable=True)
