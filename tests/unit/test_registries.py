"""Names that must agree across files are held against their one registry, so a topic or a computed
answer cannot be half-added: the knowledge file's topics against the domain's intents and the
rules, and its `computed:` names against the computed-answer registry."""

import dataclasses

import pytest

from broker_faq import yaml_io
from broker_faq.answers.registry import COMPUTED
from broker_faq.assistant import ABOUT, FOLLOW_UPS, Assistant
from broker_faq.knowledge.loader import KnowledgeError
from tests.conftest import ROOT


def rules() -> list[dict]:
    return yaml_io.load((ROOT / "data" / "rules.yml").read_text())["rules"]


def routed_to_answer() -> set[str]:
    return {
        rule["steps"][0]["intent"]
        for rule in rules()
        if len(rule["steps"]) == 2 and rule["steps"][1] == {"action": "action_answer"}
    }


def test_every_computed_name_in_the_knowledge_file_is_a_registered_computation(knowledge):
    named = {t.computed for t in knowledge.topics.values() if t.computed}
    assert named and named <= set(COMPUTED)


def test_an_unknown_computation_stops_start_up_naming_the_topic(knowledge):
    broken = dict(knowledge.topics)
    broken["cid_split"] = dataclasses.replace(broken["cid_split"], computed="no_such_thing")
    with pytest.raises(KnowledgeError, match="topics.cid_split.computed: unknown computation 'no_such_thing'"):
        Assistant(dataclasses.replace(knowledge, topics=broken))


def test_every_topic_is_an_intent_with_a_rule_to_the_answering_action(knowledge):
    domain = yaml_io.load((ROOT / "domain.yml").read_text())
    assert set(knowledge.topics) <= set(domain["intents"])
    assert set(knowledge.topics) <= routed_to_answer()


def test_every_follow_up_intent_is_routed_to_the_answering_action():
    assert FOLLOW_UPS <= routed_to_answer()


def test_nothing_but_topics_follow_ups_and_what_it_does_goes_to_the_answering_action(knowledge):
    assert routed_to_answer() <= set(knowledge.topics) | FOLLOW_UPS | ABOUT
