"""The Rasa server's own concerns, apart from the channels: every change the project makes to Rasa
(patches.py), the server-wide hooks both channels install (hooks.py: body cap, garbage-collection
freeze, the client address the rate limits count), the limits themselves (limits.py, rate_limit.py)
and the log filter that keeps conversations out of the log (private_logs.py). Nothing here imports
channels/ (the channels import this package) or actions/."""
