"""The partner column mapping of DMP_COLUMN_MAP."""

import pytest

from dmp.errors import ConfigError
from dmp.pipeline.columns import parse_column_map
from dmp.settings import load


def test_a_mapping_names_theirs_for_ours():
    assert parse_column_map(" user_id=uid, ts = time ,url=page ") == {"user_id": "uid", "ts": "time", "url": "page"}
    assert parse_column_map("") == {}
    assert load({"DMP_COLUMN_MAP": "url=link"}).column_map == {"url": "link"}


@pytest.mark.parametrize("text", ["uid", "user=uid", "url=", "url:page"])
def test_a_mapping_it_cannot_read_says_how_to_write_it(text):
    with pytest.raises(ConfigError, match="ours=theirs"):
        parse_column_map(text)
