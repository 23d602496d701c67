"""The reinstatement deadline, computed (California FAQ, "Can my client request reinstatement of their
contract later?"): the last day to request it from the termination date the broker gives (asked for
when missing or unclear), and the yes or no for a request day they name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from broker_faq.answers.replies import Replies
from broker_faq.conversation import Ask, Button, Reply, State, Turn
from broker_faq.knowledge.loader import Topic
from broker_faq.reading.dates import on_or_after, spell, termination_in


@dataclass(frozen=True)
class ReinstatementWindow:
    termination: dt.date
    last_day: dt.date
    days_left: int  # negative once the window has passed

    @property
    def is_open(self) -> bool:
        return self.days_left >= 0


def reinstatement_window(termination: dt.date, window_days: int, today: dt.date) -> ReinstatementWindow:
    last_day = termination + dt.timedelta(days=window_days)
    return ReinstatementWindow(termination, last_day, (last_day - today).days)


def reinstatement(replies: Replies, topic: Topic, turn: Turn, state: State) -> Reply:
    place = replies.places.place(state.region)
    if place is not None and place.region != replies.rule_region(topic):
        return replies.nearest(topic, place, state)
    v = replies.vocabulary
    said = termination_in(turn.words, turn.today, v)
    parsed = said.date
    if said.unclear:
        dates = " or ".join(spell(d.date) for d in said.unclear)
        question = (
            f"Which of these is the group's termination date: {dates}?"
            if len(said.unclear) > 1
            else f"What was the group's termination date? Is it {dates}?"
        )
        return replies.ask(
            state,
            topic,
            Ask.TERMINATION_DATE,
            f"{question} I'll work out the reinstatement deadline from it.",
            tuple(Button(spell(d.date), spell(d.date)) for d in said.unclear),
        )
    if parsed:
        state = state.with_updates(termination_date=parsed.date.isoformat())
    if turn.intent == topic.key and said.request_on is None:
        state = state.with_updates(request_date=None)  # a new question: an earlier day asked about is not its
    if state.termination_date is None and state.requested == Ask.TERMINATION_DATE and turn.intent != topic.key:
        return replies.ask(
            state,
            topic,
            Ask.TERMINATION_DATE,
            "I didn't find a date there. What was the group's "
            "termination date? For example 2026-10-01, 10/1/2026 or October 1, 2026.",
        )
    if state.termination_date is None:
        reply = replies.static(
            topic, state, suffix="Tell me the termination date and I'll work out the last day to request it."
        )
        return replace(reply, state=reply.state.with_updates(pending_topic=topic.key, requested=Ask.TERMINATION_DATE))
    days = replies.k.fact("reinstatement_window_days")
    window = reinstatement_window(dt.date.fromisoformat(state.termination_date), days, turn.today)
    assumed = f" (I took the year to be {window.termination.year}.)" if parsed and parsed.year_assumed else ""
    when = f"With a termination date of {spell(window.termination)}{assumed},"
    if window.is_open:
        left = "that is today" if window.days_left == 0 else f"{window.days_left} days from today"
        result = (
            f"{when} the last day to request reinstatement is {spell(window.last_day)} "
            f"({days} days after termination; {left})."
        )
    else:
        result = (
            f"{when} the last day to request reinstatement was {spell(window.last_day)}, so the "
            f"{days}-day window has passed ({-window.days_left} days ago). Contact the Account "
            f"Management Support team about the group's options."
        )
    if said.request_on is not None:  # "if they call on Jan 5, are they in time?": the yes or no first
        day = on_or_after(said.request_on, window.termination)
        state = state.with_updates(request_date=day.isoformat())
        result = _request_day(day, window.termination, window.last_day) + " " + result
    elif parsed and state.request_date:  # "sorry, termination was actually August 15": that day again
        day = dt.date.fromisoformat(state.request_date)
        result = _request_day(day, window.termination, window.last_day) + " " + result
    return replies.static(topic, state, prefix=result)


def _request_day(day: dt.date, termination: dt.date, last_day: dt.date) -> str:
    late = (day - last_day).days
    if late > 0:
        days = f"{late} day{'s' if late > 1 else ''}"
        return f"No: a request on {spell(day)} would be {days} too late, outside the window."
    if day < termination:
        return (
            f"{spell(day)} is before the termination date, {spell(termination)}: the window counts from the "
            "termination date."
        )
    return f"Yes: a request on {spell(day)} is within the window."
