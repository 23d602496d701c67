"""The understanding layer the NLU runs before and after classifying a message (nlu_components/):
clean the text, cut it into candidate questions, and route what the classifier alone would miss.

Plain Python, so it is tested without Rasa; the Rasa components are thin adapters over it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from broker_faq.knowledge.loader import Knowledge
from broker_faq.knowledge.vocabulary import Vocabulary
from broker_faq.reading.cleanup import Cleaner
from broker_faq.reading.contact_requests import ContactReader
from broker_faq.reading.counts import CountRoles
from broker_faq.reading.dates import find_dates, on_or_after, termination_in
from broker_faq.reading.links import LinkNames
from broker_faq.reading.not_covered import NotCovered
from broker_faq.reading.places import Gazetteer, Place, Uncovered
from broker_faq.reading.premises import premise, topic_figures
from broker_faq.reading.segments import ASKING, Span, question_spans
from broker_faq.reading.spelling import Speller

# Intents that answer on their own, so the router leaves them alone.
KEEP = frozenset({"inform_region", "inform_date", "inform_count"})
# Small talk is routed only when it also asks for a detail: "thanks! and the fax?", not "thanks for
# the number".
SOCIAL = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "capabilities", "rate_helpful", "rate_unhelpful"}
)
# A contact detail asked with no team named ("5500 report, who do I e-mail?") goes to the likeliest
# topic when the classifier gives it at least this much.
MIN_TOPIC_FOR_DETAIL = 0.15
TEAM_TOPIC = "team_contact"
# What a statement that only sets the scene may be taken for by the classifier.
SETS_THE_SCENE = frozenset({"nlu_fallback", "out_of_scope", "greet", "capabilities"})
REGION_GIVEN = "inform_region"
NOT_COVERED = "not_covered"
DATE_GIVEN = "inform_date"
COUNT_GIVEN = "inform_count"
# What makes a number in an unsure message a correction or an update of a count given before.
COUNT_CORRECTION = re.compile(
    r"\b(?:not|actually|typo|now|update|updated|correction|instead|sorry|meant|i mean|more|fewer|less)\b", re.I
)
BARE_NUMBER = re.compile(r"(?<![\d/.:-])\d{1,4}(?![\d/.:-])")
# A link is asked for by a web word, or in a look-up of a few words ("ppo plus?").
WEB_WORDS = re.compile(r"\b(?:link|links|url|urls|site|sites|website|websites|web|page|portal|address|online)\b", re.I)
MAX_BARE_LOOK_UP_WORDS = 4
# A statement with a topic this likely states a need ("... is adding three new hires"), not just the scene.
MIN_TOPIC_FOR_SCENE = 0.25
# A topic this likely, ahead of "a region given" only, is the need a statement with a place says.
MIN_NEED_WITH_PLACE = 0.4
# A topic the classifier gives at least this much is answered even when a subject the sources leave
# out is named beside it.
SURE_OF_TOPIC = 0.6
UNSURE = "nlu_fallback"  # the FallbackClassifier's intent


def knowledge_words(knowledge: Knowledge, vocabulary: Vocabulary) -> set[str]:
    """The words of every name, answer and title in the knowledge, and the vocabulary's."""
    texts = [t.title for t in knowledge.topics.values()]
    texts += [a.text for t in knowledge.topics.values() for a in t.answers.values()]
    for entry in [
        knowledge.uncovered_places,
        *knowledge.regions.values(),
        *(a for r in knowledge.regions.values() for a in r["areas"].values()),
    ]:
        texts += [str(s) for s in [*entry.get("aliases", []), *entry.get("cities", [])]]
        texts.append(str(entry.get("name", "")))
    for team in knowledge.teams.values():
        texts += [team["name"], *team.get("aliases", []), *team.get("contact_for", [])]
    return {w for text in texts for w in re.findall(r"[a-z]+", text.lower())} | vocabulary.words()


def knowledge_names(knowledge: Knowledge) -> list[str]:
    """Every place and team name, as written in the knowledge ("Thousand Oaks", "EBS")."""
    names = []
    for entry in [knowledge.uncovered_places, *knowledge.regions.values()]:
        names += [str(s) for s in [*entry.get("aliases", []), *entry.get("cities", [])]]
    for region in knowledge.regions.values():
        for area in region["areas"].values():
            names += [str(s) for s in [*area.get("aliases", []), *area.get("cities", [])]]
    for team in knowledge.teams.values():
        names += [team["name"], *team.get("aliases", [])]
    return names


class Reader:
    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary, extra_words: Iterable[str] = ()):
        self.cleaner = Cleaner(
            vocabulary, Speller(knowledge_words(knowledge, vocabulary) | set(extra_words)), knowledge_names(knowledge)
        )
        self.contacts = ContactReader(knowledge, vocabulary)
        self.places = Gazetteer(knowledge, vocabulary)
        self.knowledge = knowledge
        self.vocabulary = vocabulary
        self.topics = frozenset(knowledge.topics)
        self.not_covered = NotCovered(knowledge, vocabulary)
        self.links = LinkNames(knowledge)

    def clean(self, text: str) -> str:
        return self.cleaner.clean(text)

    @staticmethod
    def spans(text: str) -> list[Span]:
        return question_spans(text)

    def route(
        self,
        intent: str | None,
        text: str,
        segment_intents: list[str | None],
        ranking: Sequence[tuple[str, float]] = (),
    ) -> str | None:
        """The intent to act on when the classifier's misses what the message plainly asks: a team or a
        contact detail ("EBS fax", "fax?") or a quoted misprint goes to the team answer, and a message
        whose parts ask about topics goes to the first of them. None: keep the classifier's."""
        if intent not in KEEP - {REGION_GIVEN} and self._not_covered(intent, text, ranking):
            return NOT_COVERED
        if intent in (UNSURE, REGION_GIVEN) and (listing := self._topic_listing(text)):
            return listing  # "ppo+ link nw": the topic whose answer gives that link
        if intent in self.topics and (other := self._instead_of_refused_team(text, ranking, intent)):
            return other
        if intent == UNSURE and (other := self._instead_of_refused_team(text, ranking)):
            return other  # "I don't need member services ... who's next?": the likeliest topic of another team
        if intent in self.topics or intent in KEEP:
            return None
        if intent in SETS_THE_SCENE and self._sets_the_scene(text, ranking):
            return REGION_GIVEN
        if intent == UNSURE and (need := self._need_with_its_place(ranking)):
            return need  # "Longview WA group is adding three new hires": the need, answered for the place
        if intent == UNSURE and (checked := self._checked_topic(text, ranking)):
            return checked
        if intent == UNSURE and self._termination_said(text):
            return DATE_GIVEN  # "group termed the last day of February 2027, deadline?": the date-based answer
        if (intent not in self.topics or dict(ranking).get(intent, 0.0) < SURE_OF_TOPIC) and self._corrects_a_place(
            text
        ):
            return REGION_GIVEN  # "sorry, I meant Salem, not Sacramento": the last question, for the right place
        if intent == UNSURE and self._corrects_a_count(text):
            return COUNT_GIVEN  # "oops, typo: 19 in Riverside, not 9": the last question, with the new count
        request = self.contacts.read(text)
        if request.details_only and request.refused_details:
            return TEAM_TOPIC  # "not the phone, the email": a follow-up on the last answer's team, no rating
        if intent in SOCIAL and "?" not in text:
            return None
        if request.details and not (request.teams or request.misprinted or request.details_only):
            likely = next(
                (name for name, confidence in ranking if name in self.topics and confidence >= MIN_TOPIC_FOR_DETAIL),
                None,
            )
            if likely:
                return likely
        if request.teams or request.misprinted or request.details:
            return TEAM_TOPIC
        places = [m.place for m in self.places.find(text) if not m.aside]
        if intent == UNSURE and places and all(isinstance(p, Uncovered) for p in places):
            # "contacts for Washington, D.C.?": the honest "I only have ..." for that place. Not for a
            # message surely out of scope ("the weather in Boston"), which gets the out-of-scope reply.
            return TEAM_TOPIC

        return next((i for i in segment_intents if i in self.topics), None)

    def _not_covered(self, intent: str | None, text: str, ranking: Sequence[tuple[str, float]]) -> bool:
        """A subject neither source covers ("does it cover chiropractic?"), asked without a team named
        and not plainly about one of the topics (the classifier sure of it)."""
        if not self.not_covered.find(text) or self.contacts.read(text).teams:
            return False
        confidence = dict(ranking).get(intent or "", 0.0)
        return intent not in self.topics or intent == TEAM_TOPIC or confidence < SURE_OF_TOPIC

    def _checked_topic(self, text: str, ranking: Sequence[tuple[str, float]]) -> str | None:
        """ "a split takes two weeks?": a figure offered for confirmation, with a unit only one of the
        likelier topics has a fact in (separation_timeline: about 4 weeks), asks that topic."""
        likely = [
            name for name, confidence in ranking[:3] if name in self.topics and confidence >= MIN_TOPIC_FOR_DETAIL
        ]
        group = any(isinstance(m.place, Place) and m.place.is_area for m in self.places.find(text))
        fitting = [
            name
            for name in likely
            if premise(text, topic_figures(self.knowledge, self.knowledge.topics[name]), about_a_group=group)
        ]
        return fitting[0] if len(fitting) == 1 else None

    def _instead_of_refused_team(
        self, text: str, ranking: Sequence[tuple[str, float]], intent: str = TEAM_TOPIC
    ) -> str | None:
        """ "terminating a Fresno group - not the service center, the right team please": every team named
        is refused, so the topic the message is about answers (its own team), if the classifier has one."""
        request = self.contacts.read(text)
        if not request.refused_teams or request.teams:
            return None
        refused = {key for t in request.refused_teams for key in t.candidates}
        if intent != TEAM_TOPIC and not self._only_teams(intent, refused):
            return None  # the topic itself gives another team: it stands ("not the CSC" in a billing question)
        return next(
            (
                name
                for name, confidence in ranking
                if name in self.topics
                and name not in (TEAM_TOPIC, intent)
                and confidence >= MIN_TOPIC_FOR_DETAIL / 2
                and not self._only_teams(name, refused)  # "don't send me to EBS": not EBS's own topic
            ),
            None,
        )

    def _only_teams(self, topic: str, teams: set[str]) -> bool:
        """Whether the topic's answer in the refused teams' own region gives those teams only (Northwest
        escalations: EBS alone), so refusing them refuses the topic too."""
        regions = {self.knowledge.teams[t]["region"] for t in teams}
        return any(
            self.places.known(key).region in regions and given <= teams
            for key, answer in self.knowledge.topics[topic].answers.items()
            if (given := {ref.team for ref in answer.contacts})
        )

    def _topic_listing(self, text: str) -> str | None:
        """ "ppo+ link nw": the topic whose answer gives the link named, when the message asks for a web
        address or is a bare look-up; "a dental office out in Roseville" names a kind of business."""
        if not WEB_WORDS.search(text) and len(text.split()) > MAX_BARE_LOOK_UP_WORDS:
            return None
        named = set(self.links.named(text))
        topics = [
            key
            for key, topic in self.knowledge.topics.items()
            if any(named & set(answer.links) for answer in topic.answers.values())
        ]
        return topics[0] if named and len(topics) == 1 else None

    def _termination_said(self, text: str) -> bool:
        v = self.vocabulary
        said = termination_in(text, dt.date.today(), v)
        cued = any(cue in text.lower() for cue in v.termination_cues)
        return said.date is not None and cued

    def _corrects_a_place(self, text: str) -> bool:
        found = self.places.find(text)
        return any(m.refused for m in found) and any(not m.aside and isinstance(m.place, Place) for m in found)

    @staticmethod
    def _corrects_a_count(text: str) -> bool:
        """A number said as a correction or an update ("typo: 19 in Riverside, not 9", "one more, so 13
        now"), with no date in it (a date is the date's answer)."""
        if not COUNT_CORRECTION.search(text) or find_dates(text, dt.date.today()):
            return False
        return BARE_NUMBER.search(text) is not None

    def _need_with_its_place(self, ranking: Sequence[tuple[str, float]]) -> str | None:
        """A topic and "a region given" as the two likeliest, too close for the fallback: no real doubt,
        since the topic's answer uses the place too. Only with the topic first and likely enough."""
        top = [(name, confidence) for name, confidence in ranking if name != UNSURE][:2]
        if len(top) < 2 or top[1][0] != REGION_GIVEN or top[0][0] not in self.topics or top[0][0] == TEAM_TOPIC:
            return None
        return top[0][0] if top[0][1] >= MIN_NEED_WITH_PLACE else None

    def _sets_the_scene(self, text: str, ranking: Sequence[tuple[str, float]] = ()) -> bool:
        """ "morning, got a Gresham client today", "prospect in Bend, OR, about 15 people": a statement
        that names where the group is and asks nothing yet. Remembered as the region (inform_region),
        so the next question is answered for it."""
        if "?" in text or any(span.asks and ASKING.match(text[span.start : span.end]) for span in self.spans(text)):
            return False
        request = self.contacts.read(text)
        if request.teams or request.details:
            return False  # "number members in the northwest call for service": a look-up
        if any(name in self.topics and confidence >= MIN_TOPIC_FOR_SCENE for name, confidence in ranking):
            return False  # "Longview WA group is adding three new hires": a need, said as a statement
        places = [m.place for m in self.places.find(text) if not m.aside]
        return bool(places) and all(isinstance(p, Place) for p in places)


def read_message(reader: Reader, text: str, today: dt.date) -> dict:
    """What one message says, read once, whole, as the NLU hands it on in the parse data (`reading`)
    and the console's answer details show it: the places and whose they are, the teams and details
    wanted and refused, the counts with what they count, the dates with their role, the subjects the
    sources leave out, the links named, a figure offered for confirmation, and the needs it lists."""
    v = reader.vocabulary
    found = reader.places.find(text)
    request = reader.contacts.read(text, tuple((p.start, p.end) for p in found))
    roles = CountRoles(v.subscriber_words, v.headcount_words, v.waived_words)
    said = termination_in(text, today, v)
    in_dates = [(d.start, d.end) for d in find_dates(text, today)]
    counts = [
        {"value": int(m.group()), "counts": roles.of(text[m.end() :]) or "unsaid"}
        for m in re.finditer(r"\b\d{1,6}\b", text)
        if not _inside_date_or_number(text, m) and not any(s <= m.start() < e for s, e in in_dates)
    ]
    return {
        "places": [
            {
                "said": p.text,
                "place": p.place.key if isinstance(p.place, Place) else None,
                "region": p.place.region if isinstance(p.place, Place) else "uncovered",
                "role": "refused" if p.refused else "compared" if p.comparison else "the group's",
            }
            for p in found
        ],
        "teams": [t.text for t in request.teams],
        "teams_refused": [t.text for t in request.refused_teams],
        "details": list(request.details),
        "details_refused": list(request.refused_details),
        "numbers": [{"kind": kind, "wanted": wanted} for kind, wanted in request.phones],
        "counts": counts,
        "dates": _dates(said),
        "not_covered": list(reader.not_covered.find(text)),
        "links": sorted(reader.links.named(text)),
        "needs": [text[s.start : s.end] for s in reader.spans(text) if s.asks],
    }


def _dates(said) -> list[dict]:
    dates = [{"date": said.date.date.isoformat(), "role": "termination"}] if said.date else []
    dates += [{"date": d.date.isoformat(), "role": "unclear"} for d in said.unclear]
    if said.request_on:
        day = on_or_after(said.request_on, said.date.date) if said.date else said.request_on.date
        dates.append({"date": day.isoformat(), "role": "request day"})
    return dates


def _inside_date_or_number(text: str, match: re.Match) -> bool:
    """Digits of a date ("3/15/2027"), a phone number or a year are not counts."""
    around = text[max(0, match.start() - 1) : match.end() + 1]
    return bool(re.search(r"[/\-.:]\d|\d[/\-.:]", around)) or len(match.group()) == 4
