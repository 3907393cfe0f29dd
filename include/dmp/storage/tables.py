"""The names of the platform's Cassandra tables, in one place for the migrations, Spark and the CLI."""

EVENTS = "events_by_user"
PAGE_INDEX = "page_index"
DAILY_INTERESTS = "user_daily_interests"
LIFETIME_INTERESTS = "user_interests"
KEYWORD_USER_SETS = "keyword_user_sets"
AUDIENCE_SKETCHES = "audience_sketches"
SEGMENT_CURRENT = "segment_current"
SEGMENT_VERSIONS = "segment_versions"
SEGMENTS_BY_USER = "segments_by_user"
USERS_BY_SEGMENT = "users_by_segment"
# Published by identity (person-level subjects); segments fall back to the user tables without them.
PERSONS = "persons"
PERSON_BY_ID = "person_by_id"
PERSON_DAILY_INTERESTS = "person_daily_interests"
# Privacy requests (dmp.privacy): what was asked and removed, and the digests that must not return.
PRIVACY_SUPPRESSIONS = "privacy_suppressions"
PRIVACY_REQUESTS = "privacy_requests"
PERSON_INTERESTS = "person_interests"
IDENTITY_EDGES = "identity_edges"
PERSON_MERGES = "person_merges"
CRM_CUSTOMERS = "crm_customers"
# Identity's tables, for privacy requests: those keyed by person id, and those keyed by a typed id
# (`type:value`, see dmp.identity.graph.node); crm_customers is keyed by the customer id's value.
BY_PERSON_ID = (PERSONS, PERSON_DAILY_INTERESTS, PERSON_INTERESTS, PERSON_MERGES)
BY_TYPED_ID = (PERSON_BY_ID, IDENTITY_EDGES)
IDENTITY_TABLES = (*BY_PERSON_ID, *BY_TYPED_ID, CRM_CUSTOMERS)
