"""The broker's groups from the portal's signed context: the group named or open on the page sets the
region and the counts, every answer that used it names the group, and nothing is guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_faq.conversation import State, Turn
from broker_faq.portal import ClaimsError, context_from_claims, context_from_dict, group_named

TODAY = dt.date(2026, 11, 23)
AREAS = ("northern_california", "southern_california", "oregon", "southwest_washington", "washington")
CLAIMS = {
    "broker": {"id": "b-1001", "name": "Dana Reyes"},
    "groups": [
        {
            "id": "bayview",
            "name": "Bayview Dental Partners",
            "hq_area": "northern_california",
            "locations": [{"area": "northern_california", "subscribers": 14}],
        },
        {
            "id": "rose-city",
            "name": "Rose City Print Co.",
            "hq_area": "oregon",
            "locations": [{"area": "oregon", "subscribers": 9}],
        },
        {
            "id": "harbor-pine",
            "name": "Harbor & Pine Logistics",
            "hq_area": "southern_california",
            "locations": [
                {"area": "southern_california", "subscribers": 27},
                {"area": "northern_california", "subscribers": 8},
                {"area": "northern_california", "subscribers": 6},
            ],
        },
    ],
}


def context(open_group=None):
    return context_from_claims({**CLAIMS, "open_group": open_group}, AREAS)


class Broker:
    """A conversation with the portal's context, as the action drives the domain."""

    def __init__(self, assistant, open_group=None):
        self.assistant, self.context, self.state = assistant, context(open_group), State()

    def say(self, intent, text):
        reply = self.assistant.respond(Turn(intent, text, (), self.state, TODAY, context=self.context))
        self.state = reply.state
        return reply


def test_the_group_open_on_the_page_answers_without_a_region_question(assistant):
    reply = Broker(assistant, open_group="rose-city").say("billing_questions", "who handles billing questions?")
    assert reply.text.startswith("For Rose City Print Co. (Oregon):")
    assert "1-866-868-7220" in reply.text and "Which region" not in reply.text


def test_a_group_named_decides_the_split_from_its_locations(assistant):
    reply = Broker(assistant).say("cid_split", "does Harbor & Pine need to split?")
    assert reply.text.startswith("For Harbor & Pine Logistics (Southern California):")
    assert "14" in reply.text and "may need to separate" in reply.text  # 8 + 6 in Northern California


def test_a_typo_in_the_name_still_names_it_and_not_that_one_switches(assistant):
    broker = Broker(assistant, open_group="bayview")
    first = broker.say("billing_questions", "billing contact for my bayveiw group?")
    assert first.text.startswith("For Bayview Dental Partners (Northern California):")
    switched = broker.say("billing_questions", "not that one, Rose City")
    assert switched.text.startswith("For Rose City Print Co. (Oregon):") and "1-866-868-7220" in switched.text


def test_the_reinstatement_answer_names_the_group(assistant):
    reply = Broker(assistant).say("reinstatement", "can Bayview still reinstate? terminated 2026-11-01")
    assert reply.text.startswith("For Bayview Dental Partners (Northern California):")
    assert "December 31, 2026" in reply.text


def test_a_place_the_broker_says_wins_over_the_page(assistant):
    reply = Broker(assistant, open_group="bayview").say("billing_questions", "billing questions for a Salem group?")
    assert "Bayview" not in reply.text and "1-866-868-7220" in reply.text


def test_a_region_given_earlier_is_not_overridden_by_the_open_group(assistant):
    broker = Broker(assistant, open_group="bayview")
    broker.say("inform_region", "my client is in Portland")
    reply = broker.say("billing_questions", "who handles billing?")
    assert "Bayview" not in reply.text and "1-866-868-7220" in reply.text


def test_without_context_or_with_no_group_named_nothing_is_assumed(assistant):
    reply = Broker(assistant).say("billing_questions", "who handles billing questions?")
    assert reply.text.startswith("Which region is the group in?")  # no group open, none named
    plain = assistant.respond(Turn("billing_questions", "billing for Harbor & Pine?", (), State(), TODAY))
    assert "Which region" in plain.text  # no context: a name is no region


@pytest.mark.parametrize(
    "text, expected",
    [
        ("does Harbor & Pine need to split?", "harbor-pine"),
        ("harbour and pine billing", "harbor-pine"),
        ("my Bayview group", "bayview"),
        ("can rose city still reinstate", "rose-city"),
        ("a Bay Area group", None),
        ("the pine office", None),
        ("a rose garden client", None),
    ],
)
def test_group_names_with_typos_and_near_misses(text, expected):
    found = group_named(text, context().groups).group
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda c: c.pop("groups"), "groups"),
        (lambda c: c["groups"][0].update(hq_area="colorado"), "groups[0].hq_area"),
        (lambda c: c["groups"][1]["locations"][0].update(subscribers=-3), "groups[1].locations[0].subscribers"),
        (lambda c: c["groups"][1]["locations"][0].update(subscribers="9"), "groups[1].locations[0].subscribers"),
        (lambda c: c.update(open_group="someone-else"), "open_group"),
        (lambda c: c["broker"].pop("name"), "broker.name"),
        (lambda c: c["groups"][2].update(id="bayview"), "two groups share an id"),
    ],
)
def test_malformed_claims_are_refused_with_the_part_named(change, where):
    import copy

    claims = copy.deepcopy(CLAIMS)
    change(claims)
    with pytest.raises(ClaimsError, match=where.replace("[", r"\[").replace("]", r"\]")):
        context_from_claims(claims, AREAS)


def test_the_kept_context_reads_back_the_same():
    kept = context("bayview").as_dict()
    assert context_from_dict(kept, AREAS) == context("bayview")
    assert context_from_dict({"groups": "nonsense"}, AREAS) is None and context_from_dict(None, AREAS) is None


def test_a_place_named_like_a_group_is_the_place(assistant):
    reply = Broker(assistant).say("billing_questions", "billing contact for a Harbor City group?")
    assert "Harbor & Pine" not in reply.text and "Which region" not in reply.text
