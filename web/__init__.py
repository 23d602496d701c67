"""The browser side: the socket.io channel the widget talks to, and the web server that serves the
broker widget, its demo page and the token-protected agent console."""
