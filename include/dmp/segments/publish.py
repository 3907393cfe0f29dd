"""Publishing a gated segment: a new version written completely, counted, then made current at once.

The version id is the run's day, the definition's version and a digest of the members, so running
a day again finds its version already complete and writes nothing. A version of an older day than
the current one (a backfill) is written but does not replace the newer day's version. Old versions
expire by TTL (membership TTL + DMP_SEGMENT_VERSION_RETENTION_DAYS); until then
`dmp segments rollback` can make any complete one current again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from dmp.errors import DmpError, InputError
from dmp.segments.definitions import Definition
from dmp.settings import SECONDS_PER_DAY, Settings
from dmp.storage import segments as store

DIGEST_CHARS = 8


@dataclass(frozen=True)
class Published:
    segment_id: str
    version: str
    members: int
    ids: int
    written: bool  # False when the version was already complete (a re-run)
    made_current: bool


def version_id(day: dt.date, definition: Definition, members_df: DataFrame) -> tuple[str, int, int]:
    """(version, members, ids) of a segment's members: the same members give the same version."""
    row = members_df.agg(
        F.sum(F.xxhash64("subject_id", "expires", "rule", F.round("score", 9)).cast("decimal(38,0)")).alias("digest"),
        F.count(F.lit(1)).alias("members"), F.sum(F.size("ids")).alias("ids")).first()
    digest = hashlib.sha256(str(row["digest"] or 0).encode()).hexdigest()[:DIGEST_CHARS]
    return f"{day:%Y%m%d}-{definition.version[:DIGEST_CHARS]}-{digest}", int(row["members"]), int(row["ids"] or 0)


def version_ttl_seconds(settings: Settings, definition: Definition) -> int:
    return (definition.membership_ttl_days + settings.segment_version_retention_days) * SECONDS_PER_DAY


def publish_segment(segments: store.SegmentStore, settings: Settings, definition: Definition, day: dt.date,
                    members_df: DataFrame) -> Published:
    """Write the version of `members_df` (unless complete already), check it, then move the pointer."""
    version, members, ids = version_id(day, definition, members_df)
    info = store.VersionInfo(definition.id, version, day, definition.version, members, ids, store.WRITING)
    ttl = version_ttl_seconds(settings, definition)
    existing = segments.version(definition.id, version)
    written = existing is None or existing.status != store.COMPLETE
    if written:
        segments.record_version(info, ttl)
        store.write_version_members(members_df, settings, definition.id, version, ttl)
        store.write_version_lookups(members_df, settings, definition.id, version, ttl)
        counted = segments.counted_members(definition.id, version)
        if counted != members:
            raise DmpError(f"segment {definition.id} version {version}: {counted} members stored of {members} "
                           "written; it stays unpublished (the previous version is still current).")
        segments.record_version(dataclasses.replace(info, status=store.COMPLETE), ttl)
    pointer = segments.pointers().get(definition.id)
    made_current = pointer is None or (pointer.version != version and pointer.run_day <= day)
    if made_current:
        segments.make_current(definition.id, version, pointer.version if pointer else None, day)
    return Published(definition.id, version, members, ids, written, made_current)


def rollback(segments: store.SegmentStore, segment_id: str, version: str) -> store.Pointer:
    """Make an earlier complete version current again; an error when it is unknown, incomplete or expired."""
    info = segments.version(segment_id, version)
    if info is None or info.status != store.COMPLETE:
        known = [f"{v.version} ({v.status})" for v in segments.versions(segment_id)]
        raise InputError(f"segment {segment_id!r} has no complete version {version!r} (expired or never written); "
                         f"versions kept: {', '.join(known) or 'none'}.")
    pointer = segments.pointers().get(segment_id)
    segments.make_current(segment_id, version, pointer.version if pointer else None, info.run_day)
    return store.Pointer(segment_id, version, pointer.version if pointer else None, info.run_day)
