"""Commands for the team that runs the assistant: knowledge checks, the review report."""
