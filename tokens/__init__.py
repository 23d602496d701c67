"""The signed tokens the Rasa servers and the web server share (signed.py): a broker's session token
and an agent's desk pass, with the key both sides load. A package of its own so the web server needs
nothing of the Rasa server's channels to issue a pass."""
