"""The reading room: one reading per message (message.py) and its parts: clean-up, spelling, places,
dates, counts, lists of needs, contact requests, links, premises and questions the sources do not
answer. Nothing after the reading reads the text again."""
