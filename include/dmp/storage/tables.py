"""The names of the platform's Cassandra tables, in one place for the migrations, Spark and the CLI."""

EVENTS = "events_by_user"
PAGE_INDEX = "page_index"
DAILY_INTERESTS = "user_daily_interests"
LIFETIME_INTERESTS = "user_interests"
KEYWORD_USER_SETS = "keyword_user_sets"
AUDIENCE_SKETCHES = "audience_sketches"
