"""The one Assistant the action server uses, built when the server imports the actions package.

Loading here means a malformed knowledge file stops the action server at start-up, with the
validator's message naming the place, instead of failing in a broker's conversation.
"""
import os

from broker_faq.answers import Assistant
from broker_faq.knowledge import DEFAULT_PATH, load_knowledge

KNOWLEDGE_FILE = os.environ.get("KNOWLEDGE_FILE", str(DEFAULT_PATH))
ASSISTANT = Assistant(load_knowledge(KNOWLEDGE_FILE))
