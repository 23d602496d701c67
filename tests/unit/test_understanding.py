"""The understanding layer (broker_faq/reading/message.py and what it uses), as people really write: typos,
shorthand, capitals, pasted e-mails, several questions, places with a state, dates and counts with
a role, contact look-ups."""

import pytest

from broker_faq.reading.contact_requests import ContactReader
from broker_faq.reading.dates import termination_date
from broker_faq.reading.message import Reader
from broker_faq.reading.places import Gazetteer, Place, Uncovered
from broker_faq.reading.segments import question_spans
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def reader(knowledge, vocabulary):
    return Reader(knowledge, vocabulary)


@pytest.fixture(scope="module")
def places(knowledge, vocabulary):
    return Gazetteer(knowledge, vocabulary)


# --- clean-up ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, cleaned",
    [
        ("oregn grp new hire enrolment", "oregon group new hire enrollment"),
        ("portlnd mbr replacment card", "portland member replacement card"),
        ("CA svc ctr # and opt", "CA service center number and option"),
        ("mbr svcs hrs NW", "member services hours NW"),
        ("hq in san jsoe, 15 ees in sacremento", "hq in san jose, 15 employees in sacramento"),
        ("califronia reinstatment deadline", "california reinstatement deadline"),
    ],
)
def test_typos_and_shorthand_are_cleaned(reader, typed, cleaned):
    assert reader.clean(typed) == cleaned


@pytest.mark.parametrize("word", ["Acme", "Zentrix", "Tustin", "Jane", "enrollment", "Kaiser"])
def test_names_and_known_words_are_not_corrected(reader, word):
    assert reader.clean(f"my client {word} asked") == f"my client {word} asked"


def test_a_message_in_capitals_is_lowered_so_or_is_a_conjunction(reader, places):
    cleaned = reader.clean("WHO HANDLES BILLING OR ENROLLMENT FOR A GROUP IN COLORADO OR TEXAS")
    assert cleaned == "who handles billing or enrollment for a group in colorado or texas"
    assert all(isinstance(m.place, Uncovered) for m in places.find(cleaned))


def test_cleaning_twice_changes_nothing(reader):
    once = reader.clean(
        "From: A <a@x.example>\nSent: Monday, May 4, 2026\nSubject: hi\n\nHi,\n\nEBS fax pls?\n\nThanks,\nA"
    )
    assert reader.clean(once) == once == "EBS fax please?"


PASTED = """From: Tom Reyes <tom@brokerco.example>
Sent: Thursday, November 12, 2026 3:02 PM
To: KP Broker Support
Subject: RE: Fresno group

Hello,

Thanks, that helps. The group's coverage ended effective 10/31/2026. What's the last day
to request reinstatement?

Best regards,

Tom Reyes
Broker, BrokerCo | Cell: (555) 010-2233

On Wed, Nov 11, 2026 at 9:14 AM Support wrote:
> Our other group terminated 8/1/2026.
"""


def test_a_pasted_email_keeps_only_the_new_question(reader):
    cleaned = reader.clean(PASTED)
    assert cleaned == (
        "Thanks, that helps. The group's coverage ended effective 10/31/2026. "
        "What's the last day to request reinstatement?"
    )


def test_a_forward_keeps_the_forwarded_question(reader):
    forward = (
        "From: Jill <j@x.example>\nSubject: FW: ending our plan\n\nWho handles this? See below.\n\n"
        "---------- Forwarded message ---------\nFrom: Greg\nDate: Fri, Oct 9, 2026\nSubject: ending\n\n"
        "We want to end our Kaiser plan for our Eugene shop. What do we do?\n"
    )
    assert "end our Kaiser plan for our Eugene shop" in reader.clean(forward)


# --- several questions ---------------------------------------------------------------------------


def spans(text):
    return [(text[s.start : s.end], s.asks) for s in question_spans(text)]


def test_two_questions_joined_by_and_are_two_spans():
    assert spans("how long does a separation take and do accumulators transfer?") == [
        ("how long does a separation take", True),
        ("do accumulators transfer", True),
    ]


def test_context_sentences_are_not_questions():
    assert spans("The group terminated 9/30/2026. What's the deadline?") == [
        ("The group terminated 9/30/2026", False),
        ("What's the deadline", True),
    ]


def test_keyword_look_ups_are_questions():
    assert spans("CA term line and the NW account management line") == [
        ("CA term line", True),
        ("the NW account management line", True),
    ]


# --- places and their roles ----------------------------------------------------------------------

# Each phrase must resolve to this place key, or be honestly uncovered (None).
PLACE_PHRASES = [
    ("Portland, Maine", None),
    ("Portland, ME", None),
    ("Springfield, IL", None),
    ("Albany, NY", None),
    ("Richmond, VA", None),
    ("Glendale, AZ", None),
    ("Vancouver, BC", None),
    ("Vancouver, Canada", None),
    ("Washington DC", None),
    ("Washington, D.C.", None),
    ("Maui", None),
    ("Seattle", None),
    ("Denver", None),
    ("Colorado", None),
    ("Texas", None),
    ("Boise", None),
    ("Portland, OR", "oregon"),
    ("Portland", "oregon"),
    ("Vancouver, WA", "southwest_washington"),
    ("Vancouver Washington", "southwest_washington"),
    ("Salem Oregon", "oregon"),
    ("Springfield, Oregon", "oregon"),
    ("Albany, Oregon", "oregon"),
    ("Oregon City", "oregon"),
    ("Richmond CA", "northern_california"),
    ("Richmond, California", "northern_california"),
    ("Glendale CA", "southern_california"),
    ("Ontario, CA", "southern_california"),
    ("ore", "oregon"),
    ("calif", "california"),
    ("ca", "california"),
    ("wa", "washington"),
    ("nw", "northwest"),
    ("socal", "southern_california"),
    ("NorCal", "northern_california"),
    ("Bend, OR", "oregon"),
]


@pytest.mark.parametrize("phrase, key", PLACE_PHRASES)
def test_place_phrases_resolve_right_or_are_honestly_uncovered(places, phrase, key):
    found = places.find(f"a group in {phrase} needs help")
    assert len(found) == 1, found
    if key is None:
        assert isinstance(found[0].place, Uncovered)
    else:
        assert isinstance(found[0].place, Place) and found[0].place.key == key


@pytest.mark.parametrize(
    "text",
    ["who handles billing OR enrollment", "I have an ID card question", "OR what about EDI", "Can you help me OR not"],
)
def test_ambiguous_short_words_are_not_places(places, text):
    assert places.find(text) == []


def test_a_compared_place_is_marked(places):
    found = places.find("a Maui group — can they reinstate within 60 days like California groups?")
    assert [(m.text, m.comparison) for m in found] == [("Maui", False), ("California", True)]


# --- dates and counts with a role ----------------------------------------------------------------


def deadline_date(text, vocabulary):
    said = termination_date(text, TODAY, vocabulary.termination_cues, vocabulary.other_date_cues)
    return said.date.date.isoformat() if said.date else None, [d.date.isoformat() for d in said.unclear]


@pytest.mark.parametrize(
    "text, chosen, unclear",
    [
        ("I emailed them on 10/5/2026 about the termination effective 9/30/2026", "2026-09-30", []),
        ("they mailed the termination notice on 5/15/2026 and were terminated effective 6/30/2026", "2026-06-30", []),
        ("terminated 8/1/2026, renewal was 1/1/2026", "2026-08-01", []),
        ("10/31/2026 was their term date", "2026-10-31", []),
        ("we have 9/1/2026 and 10/1/2026 on file, what's the deadline", None, ["2026-09-01", "2026-10-01"]),
        ("reinstatement? The owner was born 2nd of January 1980", None, []),
        ("Renewal was 7/1/2026 and they stopped paying on 9/15/2026", None, []),
    ],
)
def test_the_termination_date_is_the_one_tied_to_termination(vocabulary, text, chosen, unclear):
    assert deadline_date(text, vocabulary) == (chosen, unclear)


# --- contact look-ups ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contacts(knowledge, vocabulary):
    return ContactReader(knowledge, vocabulary)


@pytest.mark.parametrize(
    "text, teams, details, only",
    [
        ("EBS email", [("nw_employer_broker_service",)], ("email",), False),
        ("SBG fax", [("nw_small_business_group",)], ("fax",), False),
        ("CA service center number and option", [("ca_service_center",)], ("phone", "option"), False),
        ("member services hours NW", [("nw_member_services",)], ("hours",), False),
        ("and the e-mail?", [], ("email",), True),
        ("which option?", [], ("option",), True),
        ("how does a group update its physical address", [], (), False),
    ],
)
def test_teams_and_details_are_read(contacts, text, teams, details, only):
    request = contacts.read(text)
    assert [t.candidates for t in request.teams] == teams
    assert (request.details, request.details_only) == (details, only)


def test_csc_means_the_team_of_the_groups_region(contacts):
    csc = contacts.read("CSC fax").teams[0]
    assert contacts.region_teams(csc, "california") == ("ca_service_center",)
    assert contacts.region_teams(csc, "northwest") == ("nw_consolidated_service_center",)
    # With no region, the team whose printed name says "CSC".
    assert contacts.region_teams(csc, None) == ("nw_consolidated_service_center",)


def test_a_quoted_misprint_is_recognised_in_any_spelling(contacts):
    for number in ("800-790-4611", "8007904611", "800.790.4611", "(800) 790-4611"):
        assert contacts.read(f"my FAQ says {number}, right?").misprinted == ("ca_account_management_support",)


def test_the_router_sends_an_unsure_message_naming_only_an_uncovered_place_to_the_honest_answer(reader):
    assert reader.route("nlu_fallback", "Kaiser small group contacts for Washington, D.C.?", []) == "team_contact"
    assert reader.route("out_of_scope", "what's the weather in Boston?", []) is None


@pytest.mark.parametrize(
    "message",
    [
        "morning, got a Gresham client today",
        "I'm working with a group in Chula Vista, ~20 staff",
        "prospect in Bend, OR, about 15 people, never had Kaiser",
    ],
)
def test_a_statement_that_sets_the_scene_gives_the_region(message, reader):
    assert reader.route("nlu_fallback", reader.clean(message), []) == "inform_region"


@pytest.mark.parametrize(
    "message",
    ["does a Gresham group's plan cover chiropractic?", "how do I terminate a Salem group", "a Honolulu client"],
)
def test_a_question_or_an_uncovered_place_is_no_scene_setting(message, reader):
    assert reader.route("nlu_fallback", reader.clean(message), []) != "inform_region"


def test_every_team_named_refused_routes_to_the_topic(reader):
    ranking = [("team_contact", 0.6), ("terminate_contract", 0.17)]
    text = "terminating a Fresno group - not the service center, the right team please"
    assert reader.route("team_contact", text, [], ranking) == "terminate_contract"


def test_a_refused_team_refuses_the_topic_it_alone_answers_in_its_region(reader):
    # Northwest escalations go to EBS alone: "don't send me to EBS" asks for the next likeliest topic.
    text = "For a Tigard group's new hire: don't send me to EBS, who's the regular team?"
    ranking = [("team_contact", 0.5), ("escalation", 0.11), ("enrollment_changes", 0.09)]
    assert reader.route("team_contact", text, [], ranking) == "enrollment_changes"


def test_a_refused_and_a_wanted_detail_is_a_follow_up_not_a_rating(reader):
    assert reader.route("rate_unhelpful", "not the phone, the email", []) == "team_contact"


@pytest.mark.parametrize(
    "message, read",
    [
        (
            "¿Cómo cancelo el contrato de un grupo en Los Ángeles?",
            "how terminate the contract of a group in Los Angeles?",
        ),
        ("Terminó el 31 de marzo de 2027", "terminated on March 31, 2027"),
        ("tengo un grupo en LA, ¿cómo cancelo el contrato?", "I have a group in LA, how terminate the contract?"),
    ],
)
def test_a_spanish_message_is_read_through_its_gloss(message, read, reader):
    assert reader.clean(message) == read


def test_english_with_spanish_names_is_left_alone(reader):
    assert reader.clean("the Del Mar office on de la Vina street") == "the Del Mar office on de la Vina street"


def test_a_clause_that_sets_the_scene_is_no_question_of_its_own():
    text = "after the San Diego and Sacramento offices get split into two contracts, how many bills will they get?"
    assert [asks for _, asks in spans(text)] == [False, True]


def test_a_termination_date_with_an_unsure_classifier_is_the_date_based_answer(reader):
    assert reader.route("nlu_fallback", "group termed the last day of February 2027, deadline?", []) == "inform_date"


def test_a_refusal_cue_typed_without_its_apostrophe_is_no_typo(knowledge, vocabulary):
    """ "dont give me the csc phone" was corrected to "done give me", and the phone was given anyway."""
    reader = Reader(knowledge, vocabulary, ["done"])
    text = reader.clean("eugene grp - dont give me the csc phone, just fax pls")
    assert "dont give me" in text and reader.contacts.read(text).refused_details == ("phone",)


def test_a_link_name_routes_only_when_a_web_address_is_asked(reader):
    scene = reader.clean("hey, new one for me - a dental office out in Roseville, 11 ppl")
    assert reader.route("inform_region", scene, []) is None  # the region, not the dental link
    assert reader.route("inform_region", reader.clean("ppo+ link nw"), []) == "self_service"


def test_a_need_said_with_its_place_is_the_need_not_a_doubt(reader):
    # The fallback's ambiguity between a topic and "a region given" is none: the answer uses the place.
    ranking = [("nlu_fallback", 0.3), ("enrollment_changes", 0.43), ("inform_region", 0.37)]
    assert (
        reader.route("nlu_fallback", "Longview WA group is adding three new hires", [], ranking) == "enrollment_changes"
    )
    unsure = [("nlu_fallback", 0.3), ("enrollment_changes", 0.33), ("inform_region", 0.31)]
    assert (
        reader.route("nlu_fallback", "Longview WA group is adding three new hires", [], unsure) != "enrollment_changes"
    )
    two_topics = [("nlu_fallback", 0.3), ("enrollment_changes", 0.43), ("new_sales", 0.37)]
    assert reader.route("nlu_fallback", "Longview WA group is adding three new hires", [], two_topics) is None


@pytest.mark.parametrize(
    "text",
    ["Oops, typo: nineteen in Riverside, not nine.", "Update: they just hired one more in Torrance, so thirteen now."],
)
def test_an_unsure_count_correction_is_a_count_given(reader, text):
    ranking = [("nlu_fallback", 0.3), ("inform_count", 0.25), ("cid_split", 0.26)]
    assert reader.route("nlu_fallback", reader.clean(text), [], ranking) == "inform_count"


@pytest.mark.parametrize("text", ["sorry, the termination date is 3/4/2027 not 3/5", "not sure what to do now"])
def test_a_date_or_no_number_is_no_count_correction(reader, text):
    ranking = [("nlu_fallback", 0.3), ("inform_count", 0.25), ("cid_split", 0.26)]
    assert reader.route("nlu_fallback", reader.clean(text), [], ranking) != "inform_count"


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        (
            "Portland client needs three things: add a newborn to the plan, a copy of their Evidence of Coverage, "
            "and a replacement ID card for an employee.",
            ["a copy of their Evidence of Coverage", "a replacement ID card for an employee"],
        ),
        ("Hillsboro employer: 5500 reports, account balances, and a new primary care provider.", ["account balances"]),
        (
            "Camas, WA group: enrollment changes, the EBS e-mail, and the Kaiser Permanente Plus website.",
            ["Camas, WA group: enrollment changes", "the EBS e-mail"],
        ),
    ],
)
def test_a_list_announced_by_a_colon_is_a_list_of_needs(text, needs):
    from broker_faq.reading.segments import question_spans

    spans = question_spans(text)
    assert len(spans) == 3 and all(s.listed for s in spans)
    assert all(need in [text[s.start : s.end] for s in spans] for need in needs)


def test_a_colon_before_a_clause_is_no_list():
    from broker_faq.reading.segments import question_spans

    assert len(question_spans("Note: the group is in Salem, Oregon.")) == 1


def test_a_team_refused_once_is_refused_where_it_is_named_again(reader):
    text = "I don't need member services. A Gresham group has a dispute that member services couldn't fix, who's next?"
    request = reader.contacts.read(reader.clean(text))
    assert request.teams == () and [t.candidates for t in request.refused_teams] == [("nw_member_services",)]
    ranking = [("nlu_fallback", 0.3), ("escalation", 0.33), ("team_contact", 0.28)]
    assert reader.route("nlu_fallback", reader.clean(text), ["team_contact"], ranking) == "escalation"


def test_refused_e_mails_in_the_plural_are_refused(reader):
    request = reader.contacts.read("skip the e-mails, what's their fax?")
    assert request.details == ("fax",) and request.refused_details == ("email",)
