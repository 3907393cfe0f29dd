"""The bucket of a keyword or theme in the keyword index and sketch tables, in Python and in Spark.

Writers (Spark) and readers (the Python driver) must agree, so both use CRC32 of the key's UTF-8
bytes modulo KEY_BUCKETS: `zlib.crc32` and Spark's `crc32` give the same unsigned value.
"""

from __future__ import annotations

import zlib

KEY_BUCKETS = 4096  # a 1M-event day puts about 120 keywords in a bucket; 200M, some 1,000s


def key_bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % KEY_BUCKETS


def key_bucket_column(key_column: str):
    """The same bucket as a Spark column expression."""
    from pyspark.sql import functions as F

    return F.pmod(F.crc32(F.col(key_column).cast("binary")), F.lit(KEY_BUCKETS)).cast("int")
