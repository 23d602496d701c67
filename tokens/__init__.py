"""Signed tokens. signed.py: the tokens the Rasa servers and the web server share (a broker's session
token and an agent's desk pass), with the key both sides load; a package of its own so the web server
needs nothing of the Rasa server's channels to issue a pass. portal.py: the portal's signed context
(the broker's groups), verified on the Rasa server."""
