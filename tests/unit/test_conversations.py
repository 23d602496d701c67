"""Conversations with the domain logic: the right contact for the region, asked-for facts, honesty."""

import pytest

from tests.conftest import digits

AMT = "8007904661"


def test_california_termination_gives_account_management_support_option_3(chat):
    reply = chat.say("terminate_contract", "How do I help a California small group terminate their contract?")
    assert "800-790-4661, option 3" in reply.text
    assert "8:30 a.m. to 5 p.m. Pacific time" in reply.text
    assert "4611" not in reply.text
    assert reply.payload["sources"][0]["document"] == "California Small Business Broker FAQ"
    assert reply.payload["contacts"][0]["phones"] == [{"number": "800-790-4661", "option": "3"}]


def test_what_about_oregon_re_answers_for_the_northwest(chat):
    chat.say("terminate_contract", "How do I help a California small group terminate their contract?")
    reply = chat.say("inform_region", "what about Oregon?")
    assert "503-813-2630, option 3" in reply.text and "small.group.respond@kp.org" in reply.text
    assert AMT not in digits(reply.text)


def test_unknown_region_is_asked_with_buttons_then_answered(chat):
    reply = chat.say("stop_autopay", "who do I contact about stopping autopay?")
    assert "Which region" in reply.text and AMT not in digits(reply.text)
    assert [b.title for b in reply.buttons] == ["California", "Northwest (Oregon and Southwest Washington)"]
    reply = chat.say("inform_region", "California")
    assert "800-790-4661, option 1" in reply.text and "responsibility" in reply.text


def test_region_is_remembered_across_topics(chat):
    chat.say("new_sales", "new sales contact for a Portland group")
    reply = chat.say("account_management", "and their account management?")
    assert "503-813-2630, option 3" in reply.text


@pytest.mark.parametrize("place", ["Hawaii", "Colorado", "Georgia", "Seattle"])
def test_uncovered_region_gets_an_honest_answer_and_no_number(chat, place):
    reply = chat.say("account_management", f"account management phone for a group in {place}")
    assert "I only have California and Northwest" in reply.text and place in reply.text
    assert not any(ch.isdigit() for ch in reply.text)


@pytest.mark.parametrize("text", ["what's the weather in Boston?", "any good restaurants in Denver?"])
def test_a_question_outside_the_work_naming_a_place_is_out_of_scope_not_a_region_question(chat, text):
    reply = chat.say("out_of_scope", text)
    assert "outside what I can help with" in reply.text and reply.payload["type"] == "out_of_scope"
    assert "Please check with the Kaiser Permanente team that serves" not in reply.text


@pytest.mark.parametrize("text", ["got a Boston client, what's the weather like", "account management for Boston"])
def test_a_group_or_a_team_in_an_uncovered_place_still_gets_the_honest_region_answer(chat, text):
    reply = chat.say("out_of_scope", text)
    assert "I only have California and Northwest" in reply.text and "Boston" in reply.text
    assert reply.payload["type"] == "uncovered_region"


def test_california_only_rule_is_not_presented_as_northwest_policy(chat):
    reply = chat.say("edi_after_split", "what happens to the EDI file after separating a Portland group?")
    assert "renewal month" not in reply.text
    assert "The source I have for Oregon" in reply.text and "won't present it as Oregon policy" in reply.text
    assert "California Small Business Broker FAQ" in reply.text
    assert "503-813-2630, option 3" in reply.text


def test_cid_split_from_one_sentence_at_or_above_13(chat):
    reply = chat.say(
        "cid_split",
        "Group is based in San Francisco and has 20 subscribers at a San Diego "
        "branch. Do they need to separate the contract?",
    )
    assert "may need to separate" in reply.text and "13" in reply.text
    assert "does not need" not in reply.text
    for follows in ("about 4 weeks", "EDI", "Online Account Services User ID Request Form", "bill for each contract"):
        assert follows in reply.text


def test_cid_split_below_13_does_not_need_to_separate(chat):
    reply = chat.say("cid_split", "HQ in Burbank, 5 subscribers in Fresno — do we have to split?")
    assert "does not need to separate" in reply.text and "fewer than 13" in reply.text
    assert "Northern California" in reply.text


def test_cid_split_headquarters_named_second(chat):
    reply = chat.say("cid_split", "15 subscribers in Irvine, but the HQ is in Sacramento. Split?")
    assert "15 subscribers in Southern California" in reply.text and "may need to separate" in reply.text


@pytest.mark.parametrize(
    "text, subscribers, separate",
    [
        ("company HQ Sacramento, 40 staff enrolled in LA. Need 2 contracts?", 40, True),
        ("50 subscribers at the Burbank HQ and 20 in San Jose, separate?", 20, True),
        ("5 subscribers in Fresno, the group's Irvine headquarters has 80. Split?", 5, False),
    ],
)
def test_cid_split_counts_people_not_contracts_or_offices(chat, text, subscribers, separate):
    reply = chat.say("cid_split", text)
    assert f"with {subscribers} subscribers in" in reply.text
    assert ("may need to separate" in reply.text) == separate


def test_cid_split_with_fewer_staff_than_the_threshold_needs_no_count_of_subscribers(chat):
    # Subscribers are staff enrolled with Kaiser Permanente: 9 employees are at most 9 subscribers.
    reply = chat.say("cid_split", "HQ in Oakland, 2 offices in San Diego with 9 employees, do they split?")
    assert "at most 9 Kaiser Permanente subscribers" in reply.text and "does not need to separate" in reply.text


def test_cid_split_counts_subscribers_not_staff(chat):
    reply = chat.say("cid_split", "45 staff in Irvine, 10 of them on our Kaiser plan, HQ in Oakland. Split?")
    assert "with 10 subscribers in Southern California" in reply.text and "does not need" in reply.text


def test_cid_split_asks_for_subscribers_when_only_staff_above_the_threshold_are_given(chat):
    reply = chat.say("cid_split", "HQ in Oakland and 45 employees in Irvine, do they need to separate?")
    assert "How many Kaiser Permanente subscribers" in reply.text and "45 staff" in reply.text


def test_cid_split_two_locations_in_one_area_need_no_separation_without_asking(chat):
    reply = chat.say("cid_split", "HQ in Oakland, second office in San Jose with 20 subscribers. Do they split?")
    assert "doesn't need to separate" in reply.text and not reply.buttons


def test_cid_split_asks_for_each_missing_fact(chat):
    reply = chat.say("cid_split", "does my client need to split their contract?")
    assert "headquartered" in reply.text and [b.title for b in reply.buttons] == [
        "Northern California",
        "Southern California",
    ]
    reply = chat.say("inform_region", "Southern California")
    assert "Northern California?" in reply.text and [b.title for b in reply.buttons] == ["Yes", "No"]
    reply = chat.say("affirm", "yes")
    assert "How many" in reply.text
    reply = chat.say("inform_count", "14")
    assert "may need to separate" in reply.text


def test_cid_split_without_locations_in_both_regions(chat):
    chat.say("cid_split", "do we have to separate the contract? HQ in Oakland")
    reply = chat.say("deny", "no")
    assert "doesn't need to separate" in reply.text


def test_cid_split_for_a_northwest_group_is_california_only(chat):
    reply = chat.say("cid_split", "our Portland group has an office in Salem, do they need to split?")
    assert "won't present it as Oregon policy" in reply.text and AMT not in digits(reply.text)


def test_reinstatement_deadline_from_a_date(chat):
    reply = chat.say("reinstatement", "The group terminated on June 1, 2026. What is the reinstatement deadline?")
    assert "July 31, 2026" in reply.text and "has passed" in reply.text and AMT in digits(reply.text)


def test_reinstatement_days_left_while_the_window_is_open(chat):
    reply = chat.say("reinstatement", "termed 11/1/2026, when is the last day to reinstate?")
    assert "December 31, 2026" in reply.text and "38 days from today" in reply.text


def test_reinstatement_asks_for_the_date_then_computes(chat):
    reply = chat.say("reinstatement", "what's the reinstatement deadline?")
    assert "60 days" in reply.text and "termination date" in reply.text
    # "terminated" reads like a termination question; it still answers ours.
    reply = chat.say("terminate_contract", "terminated on 2026-08-01")
    assert "September 30, 2026" in reply.text


def test_reinstatement_re_asks_when_the_reply_has_no_date(chat):
    chat.say("reinstatement", "when is the reinstatement deadline?")
    reply = chat.say("inform_count", "13")
    assert reply.text.startswith("I didn't find a date there") and chat.state.requested == "termination_date"
    reply = chat.say("inform_date", "March 5 2026")
    assert "May 4, 2026" in reply.text


def test_reinstatement_in_the_northwest_is_not_presented_as_policy(chat):
    reply = chat.say("reinstatement", "can an Oregon group be reinstated after termination?")
    assert "60 days" not in reply.text and "503-813-2630" in reply.text


def test_digital_id_without_region_states_the_exclusions(chat):
    reply = chat.say("digital_id_card", "can members get a digital ID card?")
    assert "kp.org" in reply.text and "Northern California, Medicare members" in reply.text


def test_digital_id_for_northern_california(chat):
    reply = chat.say("digital_id_card", "digital id card for an Oakland member?")
    assert reply.text.startswith("Not for Northern California")


def test_named_team_card_has_every_contact(chat):
    reply = chat.say("team_contact", "phone number of the Consolidated Service Center")
    for part in (
        "1-866-868-7220",
        "csc-den-roc-group@kp.org",
        "1-866-311-5974",
        "Monday through Friday, 8 a.m. to 5 p.m.",
        "P.O. Box 203012",
    ):
        assert part in reply.text
    assert "Pacific" not in reply.text  # the Northwest sheet gives no time zone


def test_team_contact_without_a_team_asks_which(chat):
    reply = chat.say("team_contact", "what's their fax number?")
    assert "Which team" in reply.text and len(reply.buttons) >= 5


@pytest.mark.parametrize(
    "intent, text, expected",
    [
        (
            "new_sales",
            "Northwest small business new sales phone",
            ["503-813-2630, option 2", "nw.small.business@kp.org"],
        ),
        ("escalation", "escalate a claim payment concern for an Oregon group", ["503-813-3613", "nw.kp.ebs@kp.org"]),
        ("member_services", "member services phone in the northwest", ["1-800-813-2000", "8 a.m. to 6 p.m."]),
        ("replace_id_card", "Oregon member needs a replacement ID card", ["1-800-813-2000"]),
        ("discrepancy_reports", "eligibility discrepancy report for a Salem group", ["1-866-868-7220"]),
        ("web_support", "support number for account.kp.org", ["1-866-575-3562"]),
        ("self_service", "Northwest self-service sites", ["kp.org/kpplus/nw", "kp.org/dental/nw", "account.kp.org"]),
        ("update_address", "How does a California group update its email address?", ["amt@kp.org"]),
    ],
)
def test_routing_by_need_and_region(chat, intent, text, expected):
    reply = chat.say(intent, text)
    for part in expected:
        assert part in reply.text


def test_replies_carry_a_structured_payload_with_sources_and_cards(chat):
    reply = chat.say("escalation", "escalate an unresolved billing issue for a Portland group")
    assert reply.payload["type"] == "answer" and reply.payload["region"] == "Oregon"
    assert reply.payload["sources"] == [
        {
            "document": "Northwest Small Business: Helpful Contacts",
            "file": "004_810e281facdfd947.txt",
            "section": "Employer and Broker Service (EBS)",
        }
    ]
    assert reply.payload["contacts"][0]["name"] == "Employer and Broker Service (EBS)"


def test_fallback_suggests_the_likeliest_topics_by_title(assistant):
    from broker_faq.conversation import State

    reply = assistant.replies.suggest(["nlu_fallback", "edi_after_split", "greet", "bills_after_split"], State())
    assert [b.title for b in reply.buttons] == [
        "EDI files after a separation",
        "Bills after a separation",
        "Something else",
        "Talk to a person",
    ]


def test_fallback_never_offers_the_same_thing_twice_talking_to_a_person_included(assistant):
    from broker_faq.conversation import State

    reply = assistant.replies.suggest(["human_handoff", "reinstatement", "edi_after_split"], State())
    payloads = [b.payload for b in reply.buttons]
    assert len(payloads) == len(set(payloads))
    assert [b.title for b in reply.buttons if b.payload == "/human_handoff"] == ["Talk to a person"]


def test_cid_split_takes_the_count_said_of_the_other_location(chat):
    reply = chat.say("cid_split", "HQ San Jose with 10 subscribers, Anaheim location with 25 subscribers. Split?")
    assert "with 25 subscribers in Southern California" in reply.text and "may need to separate" in reply.text


def test_cid_split_staff_less_those_who_waived_bound_the_subscribers(chat):
    reply = chat.say(
        "cid_split", "Main site in Irvine with 60 staff; the Palo Alto office has 18 staff but 16 of them waived."
    )
    assert "at most 2 Kaiser Permanente subscribers" in reply.text and "does not need to separate" in reply.text


def test_a_reinstatement_request_day_is_checked_against_the_window(chat):
    reply = chat.say(
        "reinstatement",
        "Terminated as of September 12, 2027. They want to request reinstatement "
        "on November 12, 2027. Still within the window?",
    )
    assert "the last day to request reinstatement is November 11, 2027" in reply.text
    # The yes or no to what was asked comes first, after the region it is for.
    assert reply.text.startswith("For California groups: No: a request on November 12, 2027 would be 1 day too late")


def test_a_request_day_in_time_is_a_yes_first_and_dates_in_words_are_read(chat):
    reply = chat.say(
        "reinstatement", "they terminated at the end of March 2027. if they call on April 20, are they in time?"
    )
    assert reply.text.startswith("For California groups: Yes: a request on April 20, 2027 is within the window.")
    assert "the last day to request reinstatement is May 30, 2027" in reply.text


@pytest.mark.parametrize(
    "said, termination",
    [
        ("the group termed the last day of February 2027", "February 28, 2027"),
        ("termination date is the 1st of next month", "December 1, 2026"),
        ("they ended coverage on March fifteenth, 2027", "March 15, 2027"),
        ("terminated on the first of March 2027", "March 1, 2027"),
    ],
)
def test_termination_dates_in_words(chat, said, termination):
    reply = chat.say("reinstatement", chat.clean(said) + ", reinstatement deadline?")
    assert f"With a termination date of {termination}," in reply.text


def test_two_counts_not_said_of_their_places_get_a_question_back(chat):
    reply = chat.say(
        "cid_split",
        "HQ is in Fresno and there's a SoCal office in Ontario. The subscriber counts "
        "I was given are 16 and 11, not sure which is which. Separate?",
    )
    assert reply.text.startswith("You gave 16 and 11: which is") and not reply.text.startswith(("Yes", "No"))
    assert [b.title for b in reply.buttons] == ["16", "11"]


@pytest.mark.parametrize(
    "message, verdict, count, area",
    [
        # Offices of the non-headquarters area are added up.
        (
            "HQ Oakland; LA office 7 subscribers, Santa Monica office 9 subscribers. separate?",
            "Yes",
            16,
            "Southern",
        ),
        ("HQ in San Diego; 6 subscribers in Fresno and 7 in Sacramento. separate?", "Yes", 13, "Northern"),
        # A second office in the headquarters' own area is not the other area.
        (
            "HQ in Oakland with 20 subscribers, an office in San Jose with 10 subscribers and an LA office "
            "with 8 subscribers. split?",
            "No",
            8,
            "Southern",
        ),
        # Numbers in words, and a lone "one" that is no count.
        ("one more question: HQ in San Francisco, fifteen subscribers in Irvine, separate?", "Yes", 15, "Southern"),
        ("HQ in Burbank with a dozen subscribers in Fresno, split?", "No", 12, "Northern"),
        ("HQ in Burbank with two dozen subscribers in Fresno, split?", "Yes", 24, "Northern"),
    ],
)
def test_the_split_counts_the_non_headquarters_area_whole(chat, message, verdict, count, area):
    reply = chat.say("cid_split", chat.clean(message))
    assert reply.text.startswith(f"{verdict}: with {count} subscribers in {area} California, the non-headquarters")


@pytest.mark.parametrize(
    "intent, message, lead",
    [
        (
            "reinstatement",
            "reinstatement is 30 days for california groups, right?",
            "No: the source says 60 days, not 30",
        ),
        ("separation_timeline", "a split takes two weeks?", "No: the source says about 4 weeks, not 2 weeks."),
        ("separation_timeline", "I was told a separation takes about 4 weeks, is that right?", "Yes: the source says"),
        (
            "cid_split",
            "the cid split threshold is 10 subscribers, correct?",
            "No: the source says 13 subscribers, not 10",
        ),
    ],
)
def test_a_figure_offered_for_confirmation_gets_its_yes_or_no_first(chat, intent, message, lead):
    assert chat.say(intent, chat.clean(message)).text.startswith(lead)


def test_a_figure_that_is_part_of_the_case_is_no_premise(chat):
    reply = chat.say("reinstatement", "they terminated 30 days ago, what's the reinstatement deadline?")
    assert not reply.text.startswith(("No", "Yes"))


@pytest.mark.parametrize(
    "message, names",
    [
        ("does their plan cover chiropractic? Gresham group", ["Member Services", "1-800-813-2000"]),
        ("what are the premium rates for a 10 person group in San Diego?", ["800-790-4661"]),
        ("what's the commission schedule for brokers?", ["800-790-4661", "503-813-2630"]),
    ],
)
def test_a_question_the_sources_do_not_answer_says_so_with_the_nearest_contact(chat, message, names):
    reply = chat.say("not_covered", message)
    assert "don't cover" in reply.text.split("\n")[0]
    assert all(name in reply.text for name in names)


def test_a_place_corrected_away_is_not_answered_for(chat):
    chat.say("billing_questions", "who handles billing questions for my Sacramento group?")
    reply = chat.say("inform_region", "sorry, I meant Salem, not Sacramento")
    assert "1-866-868-7220" in reply.text and "800-790-4661" not in reply.text


@pytest.mark.parametrize(
    "first, correction, verdict",
    [
        ("HQ Oakland; 14 subscribers in Irvine - split?", "actually that office is in San Jose, not Irvine", "Then"),
        (
            "HQ San Diego, 20 subscribers at the Riverside site, do they split?",
            "correction: those 20 are at their Stockton office, not Riverside",
            "Yes: with 20",
        ),
        (
            "HQ Los Angeles, 12 subscribers in Oakland, split?",
            "forgot the Berkeley office: 4 more subscribers there",
            "Yes: with 16",
        ),
        (
            "HQ Oakland, 10 subscribers in San Diego - split?",
            "actually they just enrolled 5 more down there, so 15 now",
            "Yes: with 15",
        ),
        (
            "HQ Los Angeles, 12 subscribers in Oakland, split?",
            "forgot the Pasadena office: 4 more subscribers there",
            "No: with 12",
        ),
    ],
)
def test_a_corrected_or_added_fact_changes_the_split_decision(chat, first, correction, verdict):
    chat.say("cid_split", first)
    intent = "inform_count" if "more" in correction else "inform_region"
    assert chat.say(intent, correction).text.startswith(verdict)


def test_a_spanish_message_is_answered_in_english_and_says_so(assistant):
    from broker_faq.conversation import State, Turn

    reply = assistant.respond(
        Turn(
            "terminate_contract", "how terminate the contract of a group in Los Angeles?", state=State(), language="es"
        )
    )
    assert reply.text.startswith("Respondo en inglés") and "(I answer in English" in reply.text
    assert "800-790-4661, option 3" in reply.text


def test_one_offices_count_corrected_keeps_the_others(chat):
    chat.say("cid_split", "HQ Santa Clara; 9 subscribers in the Torrance office and 2 in Burbank. Need to separate?")
    reply = chat.say("inform_region", "I undercounted - Torrance actually has 11")
    assert reply.text.startswith("Yes: with 13 subscribers in Southern California")


def test_a_lone_one_is_no_count(chat):
    reply = chat.say("cid_split", chat.clean("HQ in Oakland, one SoCal office in Riverside with a dozen subscribers?"))
    assert reply.text.startswith("No: with 12 subscribers in Southern California")


@pytest.mark.parametrize(
    "message, verdict",
    [
        ("HQ in Oakland, 20 staff in San Diego, all of whom are on Kaiser. split?", "Yes: with 20 subscribers"),
        ("HQ in Oakland, 20 staff in San Diego, not all of them are on Kaiser. split?", "You gave 20 staff there"),
    ],
)
def test_staff_said_to_be_all_enrolled_are_subscribers(chat, message, verdict):
    assert chat.say("cid_split", message).text.startswith(verdict)


def test_the_headquarters_the_other_way_round_decides_again(chat):
    chat.say("cid_split", "HQ in Oakland with 25 subscribers, the Riverside office has 8. Separate?")
    reply = chat.say("cid_split", "hold on, it's the other way round - HQ is in Riverside and the 25 are in Oakland")
    assert reply.text.startswith("Yes: with 25 subscribers in Northern California")


@pytest.mark.parametrize(
    ("text", "shown", "left_out"),
    [
        ("EBS fax please. skip the card, just the fax", "503-813-3109", ["503-813-3613", "nw.kp.ebs@kp.org"]),
        ("CSC e-mail only", "csc-den-roc-group@kp.org", ["1-866-868-7220", "1-866-311-5974", "P.O. Box"]),
        ("the CSC email is fine", "csc-den-roc-group@kp.org", ["1-866-868-7220", "1-866-311-5974"]),
        ("I only need the EBS option", "503-813-3613", ["503-813-3109", "nw.kp.ebs@kp.org"]),
    ],
)
def test_just_one_detail_asked_shows_that_detail_alone(chat, text, shown, left_out):
    reply = chat.say("team_contact", text)
    assert shown in reply.text and not [x for x in left_out if x in reply.text]
    assert [set(c) & {"phones", "emails", "fax"} for c in reply.payload["contacts"]] != [set()]


def test_a_detail_asked_without_only_keeps_the_whole_card(chat):
    reply = chat.say("team_contact", "EBS fax")
    assert "503-813-3109" in reply.text and "503-813-3613" in reply.text and "nw.kp.ebs@kp.org" in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "Portland group with a billing question. Not the EBS escalation folks, just the normal billing team",
        "Portland billing question, not EBS",
        "billing question for a Salem group - don't send me to Employer and Broker Service",
    ],
)
def test_a_refused_teams_card_is_left_out_of_the_answer(chat, text):
    reply = chat.say("billing_questions", text)
    assert "1-866-868-7220" in reply.text and "503-813-3613" not in reply.text and "nw.kp.ebs@kp.org" not in reply.text
    assert [c["team"] for c in reply.payload["contacts"]] == ["nw_consolidated_service_center"]


def test_a_refused_team_that_is_the_only_card_is_not_left_with_nothing(chat):
    reply = chat.say("escalation", "Portland group, escalation, not EBS")
    assert reply.payload["contacts"]


def test_refusing_a_teams_main_line_refuses_the_line_not_the_team(chat):
    reply = chat.say("team_contact", "I don't want the Small Business Group main line, I need their fax number")
    assert reply.text.startswith("Fax for the Small Business Group: 1-877-237-5548.")
    assert "503-813-2630" not in reply.text


def test_a_count_at_the_only_location_named_is_not_the_other_regions(chat):
    # "14 in Pasadena", Pasadena taken as the headquarters: yes to other locations asks their count.
    reply = chat.say("cid_split", "does a group with 14 in Pasadena need to split?")
    assert "Headquarters in Southern California" in reply.text
    reply = chat.say("affirm", "yes")
    assert "How many Kaiser Permanente subscribers does the group have in Northern California" in reply.text
    assert "may need to separate its contract" not in reply.text


def test_the_headquarters_a_scene_names_stays_for_the_split_question(chat):
    chat.say("inform_region", "Working a renewal for a marketing agency headquartered in Oakland - 16 on Kaiser there.")
    reply = chat.say("cid_split", "They just opened a Pasadena office with 14 people on Kaiser. Do they need to split?")
    assert reply.text.startswith("Yes: with 14 subscribers in Southern California, the non-headquarters region")


def test_a_place_said_before_and_another_now_asks_which_is_the_headquarters(chat):
    chat.say("inform_region", "Working with an agency in Oakland.")
    reply = chat.say("cid_split", "They just opened a Pasadena office with 14 people on Kaiser. Do they need to split?")
    assert reply.text.startswith("Where is the group headquartered")
    reply = chat.say("inform_region", "Oakland")
    assert "Headquarters in Northern California" in reply.text and "may need to separate its contract" not in reply.text


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        (
            "Main office is in San Diego. Two NorCal offices, Roseville and Davis, 7 subscribers each. Split?",
            "Yes: with 14",
        ),
        ("HQ Oakland; Riverside and Irvine offices with 6 each - split?", "No: with 12"),
    ],
)
def test_one_count_said_of_each_office_is_added_up_over_them(chat, text, verdict):
    assert chat.say("cid_split", text).text.startswith(verdict)


def test_refusing_the_phone_line_refuses_the_line_too(chat):
    reply = chat.say("team_contact", "Northwest Small Business Group: I need their fax, not the phone line.")
    assert (
        reply.text.startswith("Fax for the Small Business Group: 1-877-237-5548.") and "503-813-2630" not in reply.text
    )


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("HQ in Stockton. They've got 10 plus 3 subscribers at their Torrance location. Split?", "Yes: with 13"),
        ("HQ Oakland, 6 + 6 subscribers in LA - split?", "No: with 12"),
    ],
)
def test_a_count_said_as_a_sum_is_added_up(chat, text, verdict):
    assert chat.say("cid_split", text).text.startswith(verdict)


def test_two_counts_joined_by_and_at_one_office_are_asked_about_not_picked(chat):
    reply = chat.say("cid_split", "HQ in Stockton. They have 10 and 3 subscribers at Torrance. Split?")
    assert reply.text.startswith("You gave 10 and 3: which is the number")


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        (
            "Headquartered in San Jose, with two SoCal offices of 7 each, Pasadena and Long Beach. Split?",
            "Yes: with 14",
        ),
        (
            "HQ in Walnut Creek. 12 subscribers in Chula Vista and they just hired one more there. Split?",
            "Yes: with 13",
        ),
        ("HQ Oakland, 12 in LA and 2 more in Sacramento, split?", "No: with 12"),
    ],
)
def test_each_and_one_more_are_counted_in_one_message(chat, text, verdict):
    assert chat.say("cid_split", text).text.startswith(verdict)
