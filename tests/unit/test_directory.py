"""The agents' desk, domain side: the contact directory's filter and the type-ahead questions, both
tolerant of typos and rendered from the knowledge file."""

import pytest

from broker_faq.directory import Directory, Suggestions


@pytest.fixture(scope="module")
def directory(knowledge):
    return Directory(knowledge)


@pytest.fixture(scope="module")
def suggestions(knowledge):
    return Suggestions(knowledge)


def test_the_directory_holds_every_team_of_both_regions_with_its_card(directory, knowledge):
    assert [e.team for e in directory.find("")] == list(knowledge.teams)
    csc = next(e for e in directory.entries if e.team == "nw_consolidated_service_center")
    assert csc.card["fax"] == "1-866-311-5974" and csc.card["source"]["section"] == "Consolidated Service Center (CSC)"


@pytest.mark.parametrize(
    "typed, first",
    [
        ("ebs", "nw_employer_broker_service"),
        ("consolidted", "nw_consolidated_service_center"),  # a typo
        ("5500 report", "nw_employer_broker_service"),  # a need
        ("dependents", "nw_consolidated_service_center"),
        ("csc fax", "nw_consolidated_service_center"),
        ("nw.kp.ebs", "nw_employer_broker_service"),  # part of an e-mail
        ("2630", "nw_small_business_group"),  # part of a number
        ("member servces", "nw_member_services"),
    ],
)
def test_the_filter_finds_a_team_by_name_acronym_need_number_or_email(directory, typed, first):
    assert directory.find(typed)[0].team == first


def test_a_number_shared_by_two_teams_finds_both(directory):
    assert {e.team for e in directory.find("4661")} == {"ca_account_management_support", "ca_service_center"}


def test_nothing_unrelated_matches(directory):
    assert directory.find("acupuncture") == []


@pytest.mark.parametrize(
    "typed, topic",
    [
        ("reinstat", "reinstatement"),
        ("reinstatment", "reinstatement"),
        ("how long does a sep", "separation_timeline"),
        ("autopay", "stop_autopay"),
        ("escalte", "escalation"),
        ("5500", "escalation"),
    ],
)
def test_type_ahead_offers_the_topic_being_typed_typos_included(suggestions, typed, topic):
    assert suggestions.suggest(typed)[0].topic == topic


def test_type_ahead_starts_at_the_second_character_and_offers_at_most_five(suggestions):
    assert suggestions.suggest("r") == []
    found = suggestions.suggest("wh")
    assert 0 < len(found) <= 5 and len({s.topic for s in found}) == len(found)


def test_both_regions_side_by_side_each_with_its_own_source_or_honest_silence(assistant, knowledge):
    for key, topic in knowledge.topics.items():
        answers = assistant.side_by_side(key)
        if not topic.answers:
            assert answers == {}
            continue
        assert list(answers) == ["California", "Northwest (Oregon and Southwest Washington)"]
        california, northwest = answers.values()
        assert "Source: California Small Business Broker FAQ" in california.text
        assert "Source: Northwest Small Business: Helpful Contacts" in northwest.text
        assert "800-790-4661" not in northwest.text  # never the other region's number
    northwest = assistant.side_by_side("cid_split")["Northwest (Oregon and Southwest Washington)"]
    assert "doesn't cover separating a group's contract" in northwest.text


def test_a_topic_is_offered_with_its_first_question_on_a_tie(suggestions):
    assert suggestions.suggest("escal")[0].question == "Escalations"  # the title, listed first
