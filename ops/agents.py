"""Named accounts for the agent console (web/accounts.py): `make agent-add NAME [ROLE] [DISPLAY_NAME="..."]`,
`make agent-display NAME DISPLAY_NAME="..."`, `make agent-reset NAME`, `make agent-remove NAME`, `make agent-list`.

    python -m ops.agents add NAME [agent|lead] [--display-name "Dana Reyes"]
                                                   (an agent unless `lead`: leads also review the misses;
                                                   brokers see the display name, else NAME as typed)
    python -m ops.agents display NAME [--display-name "Dana Reyes"]   (without one: NAME shows again)
    python -m ops.agents reset|remove NAME
    python -m ops.agents list
    python -m ops.agents first-account     (scripts/serve.sh: on a fresh clone, the first account)

`add` and `reset` make a random password and show it once, on a terminal only, never in a file or a
pipe (as scripts/serve.sh shows the first one): with no terminal they change nothing. A reset or a
removal ends the agent's console sessions at their next request.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from web.accounts import (
    DEFAULT_ROLE,
    FIRST_AGENT,
    ROLES,
    AccountError,
    AccountStore,
    accounts_path,
    valid_display_name,
)


def terminal() -> TextIO | None:
    """Where a password may be shown: this command's output if it is a terminal, else the controlling one."""
    if sys.stdout.isatty():
        return sys.stdout
    try:
        return open("/dev/tty", "w", encoding="utf-8")  # noqa: SIM115 - closed by the caller
    except OSError:
        return None


def show_password(store: AccountStore, name: str, make_password) -> int:
    shown = terminal()
    if shown is None:
        print("No terminal to show the password on: run this in a terminal. Nothing was changed.", file=sys.stderr)
        return 1
    password = make_password(name)
    print(f"Agent {name!r}: password {password}", file=shown, flush=True)
    print("Shown once: give it to the agent; they sign in at /console/ with their name and it.", file=shown, flush=True)
    if shown is not sys.stdout:
        shown.close()
        print(f"Agent {name!r}: password written to the terminal only.")
    return 0


def shown_as(store: AccountStore, name: str) -> str:
    shown = store.display_name(name)
    return f", shown to brokers as {shown!r}" if shown != name else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.agents", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["add", "display", "reset", "remove", "list", "first-account"])
    parser.add_argument("name", nargs="?")
    parser.add_argument("role", nargs="?", choices=ROLES, default=DEFAULT_ROLE, help="of a new account (add)")
    parser.add_argument("--display-name", default="", help="what brokers see (add, display); empty: the name")
    args = parser.parse_args(argv)
    store = AccountStore(accounts_path())
    if args.command in ("add", "display", "reset", "remove") and not args.name:
        parser.error(f"{args.command} needs an agent's name: make agent-{args.command} NAME")
    shown = args.display_name or None  # `make agent-add NAME` passes an empty one
    try:
        if args.command == "add":
            if shown is not None:
                valid_display_name(shown)  # refused before a password is made and shown
            return show_password(store, args.name, lambda name: store.add(name, role=args.role, display_name=shown))
        if args.command == "display":
            store.set_display_name(args.name, shown)
            print(f"Agent {args.name!r}: brokers see {store.display_name(args.name)!r}.")
        elif args.command == "reset":
            return show_password(store, args.name, store.reset)
        elif args.command == "remove":
            store.remove(args.name)
            print(f"Agent {args.name!r} removed; their console sessions have ended.")
        elif args.command == "list":
            listed = [f"{name} ({store.role(name)}){shown_as(store, name)}" for name in store.names()]
            print("\n".join(listed) or "No agent accounts yet: make agent-add NAME [lead]")
        elif not store.names():  # first-account: its password on stdout, which serve.sh keeps in a variable
            print(store.add(FIRST_AGENT))
    except AccountError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
