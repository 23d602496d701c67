"""The browser side: the web server (web/server.py, on Sanic) that serves the broker widget, its demo page
and the agent console, with the console's named accounts, sessions, sign-in and audit log."""
