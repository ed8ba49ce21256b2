"""The weights of the matching suggestions, in one place.

A suggestion's score is a plain sum: each feature that holds adds its weight (features with a
count add the weight once per item, up to the cap; text similarity adds its weight times a
similarity between 0 and 1). Every feature that adds to a score is also a reason shown to the
reader, so what is suggested can always be explained: no learned model, nothing hidden.

Organisations (for a local problem):
  ``org_field``        the organisation's player field (分野) is one the problem asks for
  ``org_field_text``   the problem's text names the organisation's field (e.g. 「販売」 for 物流・販売)
  ``org_domain``       each life-support domain (領域) of the problem that the organisation's
                       description names (at most ``DOMAIN_CAP``)
  ``org_prefecture``   the organisation is based in the problem's prefecture
  ``org_block``        … or in the same block (近畿, 中国 …)

Cases and other local problems (for a local problem):
  ``text``             text similarity through the search index (0–1: the share of the problem's
                       key words' weight the other thread's best post matches)
  ``domain``           each shared life-support domain (at most ``DOMAIN_CAP``)
  ``field``            each shared player field (at most ``FIELD_CAP``)
  ``population``       the same municipality size band (cases: the case's population; a problem:
                       its municipality's kind, 村 / 町 / 市 / 特別区, as a stand-in)
  ``prefecture``       the same prefecture (a small nudge: 「ほかの地域の事例」 stay first)

Weights were chosen before the labelled set was read (see ``bench/README.md``).
"""

from __future__ import annotations

ORGANIZATION = {
    "org_field": 3.0,
    "org_field_text": 1.5,
    "org_domain": 1.5,
    "org_prefecture": 1.5,
    "org_block": 0.5,
}
CASE = {
    "text": 4.0,
    "domain": 1.5,
    "field": 0.75,
    "population": 0.75,
    "prefecture": 0.25,
}
CHALLENGE = {
    "text": 4.0,
    "domain": 1.5,
    "field": 0.75,
    "population": 0.5,
    "prefecture": 0.25,
}
DOMAIN_CAP = 3
FIELD_CAP = 2
#: a suggestion needs at least this score (an organisation only in the same block is no match)
MIN_SCORE = {"organization": 2.0, "case": 2.0, "challenge": 2.0}
#: how many of each a page shows (the API too)
LIMIT = {"organization": 5, "case": 5, "challenge": 5}
#: candidates read from the search index (threads), before the database checks them
TEXT_CANDIDATES = 60
#: key words of the problem sent to the index (the rarest first)
QUERY_TERMS = 16
