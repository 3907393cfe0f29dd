"""The clickstream behaves like people: several devices, lasting interests, sessions, rhythms."""

from __future__ import annotations

import pandas as pd

NIGHT_HOURS = (3, 4)
EVENING_HOURS = (19, 20, 21)
HEAVY_EVENTS_PER_DAY = 10
SESSION_GAP = pd.Timedelta(minutes=30)


def test_people_browse_with_several_cookies_mostly_one_or_two(events, population):
    cookies_seen = events.groupby("person")["user_id"].nunique()
    assert (cookies_seen >= 2).sum() >= 0.1 * len(cookies_seen)
    counts = pd.Series(population.cookie_count).value_counts()
    assert set(counts.index) == {1, 2, 3, 4}
    assert counts[1] + counts[2] > 2 * (counts[3] + counts[4])


def test_activity_is_heavy_tailed(events, landing):
    per_person = events.groupby("person").size().sort_values(ascending=False)
    top_tenth = per_person.iloc[: len(per_person) // 10].sum() / per_person.sum()
    assert top_tenth > 0.3
    assert per_person.median() < per_person.mean()
    assert events["person"].nunique() < landing.people  # not everyone browses every day


def test_a_few_pages_get_most_views(events):
    views = events["url"].value_counts()
    assert views.iloc[: len(views) // 10].sum() > 0.4 * views.sum()


def test_nights_are_quieter_than_evenings(events):
    hours = pd.to_datetime(events["ts"]).dt.hour
    per_hour = hours.value_counts().reindex(range(24), fill_value=0)
    assert per_hour[list(NIGHT_HOURS)].mean() < 0.5 * per_hour[list(EVENING_HOURS)].mean()


def test_logins_are_a_few_percent_and_one_email_per_person(events):
    logins = events[events["event_type"] == "login"]
    assert 0.01 < len(logins) / len(events) < 0.06
    normalised = logins["email"].str.strip().str.lower()
    assert (normalised != logins["email"]).any(), "typed emails should vary in case or spacing"
    assert normalised.groupby(logins["person"]).nunique().max() == 1
    assert normalised.groupby(normalised).apply(lambda s: logins.loc[s.index, "person"].nunique()).max() == 1


def test_heavy_users_keep_their_top_theme_from_day_to_day(events):
    per_day = events.groupby(["person", "day"]).size().unstack(fill_value=0)
    heavy = per_day.index[(per_day >= HEAVY_EVENTS_PER_DAY).all(axis=1)]
    assert len(heavy) >= 20
    top_theme = events[events["person"].isin(heavy)].groupby(["person", "day"])["theme"].agg(
        lambda themes: themes.value_counts().idxmax()
    ).unstack()
    assert (top_theme.iloc[:, 0] == top_theme.iloc[:, 1]).mean() > 0.6


def test_people_read_mostly_their_main_theme(events):
    per_person = events.groupby("person")["theme"]
    regular = per_person.size() >= 2 * HEAVY_EVENTS_PER_DAY
    main_share = per_person.agg(lambda themes: themes.value_counts(normalize=True).iloc[0])[regular]
    assert len(main_share) >= 20 and main_share.median() > 0.5


def test_in_session_referrer_is_the_page_just_viewed_on_that_cookie(events):
    ordered = events.assign(time=pd.to_datetime(events["ts"])).sort_values(["user_id", "time"], kind="stable")
    previous_url = ordered.groupby("user_id")["url"].shift()
    gap = ordered.groupby("user_id")["time"].diff()
    internal = ordered["referrer"].isin(set(events["url"]))
    assert internal.mean() > 0.4  # most views come from within a session
    assert (ordered.loc[internal, "referrer"] == previous_url[internal]).mean() > 0.9
    assert (gap[internal] < SESSION_GAP).mean() > 0.9
    starts = ordered.loc[~internal, "referrer"]
    assert starts.isna().any() and starts.str.contains("search|yandex", na=False).any()


def test_a_few_search_visits_carry_a_query_of_the_landing_pages_words_the_rest_are_encrypted(events):
    from dmp.tagging.keywords import search_keywords
    from dmp.tagging.search_terms import ENCRYPTED, referrer_query
    from dmp.tagging.text import url_words

    searches = [(row.url, referrer_query(row.referrer)) for row in events.itertuples() if isinstance(row.referrer, str)]
    searches = [(url, found) for url, found in searches if found is not None]
    with_query = [(url, found) for url, found in searches if found.query]
    encrypted = sum(found.reason == ENCRYPTED for _, found in searches)
    assert len(searches) == len(with_query) + encrypted, "a generated referrer is never a bad query"
    assert 0.03 < len(with_query) / len(searches) < 0.15  # the write-ups' 3-8% of search visits, give or take
    assert {found.engine for _, found in with_query} >= {"google", "yandex"}
    # The query's words are the landing page's own words, and sometimes only a related word of its theme.
    shares = [bool(set(search_keywords(found.query)) & set(url_words(url).words)) for url, found in with_query]
    assert 0.6 < sum(shares) / len(shares) < 1.0
