"""Run a server command (`rasa run ...` or `rasa run actions ...`) under pyinstrument and write the
profile as text when it stops (SIGTERM). Sanic takes over the signals and the process can end
without `python -m pyinstrument` writing its report, hence this wrapper.

  PROFILE_OUT=prof.txt python benchmarks/profile_server.py run --model ... --port 5306

The session is kept beside it (prof.txt.session.json), to be rendered again another way, e.g. the
functions that take the most time of their own:
  python -c "from pyinstrument.session import Session; from pyinstrument.renderers import ConsoleRenderer;
  print(ConsoleRenderer(flat=True, show_all=True).render(Session.load('prof.txt.session.json')))"
"""

import os
import signal
import sys

from pyinstrument import Profiler


def main() -> None:
    profiler = Profiler(interval=0.001, async_mode="disabled")

    def finish(*_):
        if profiler.is_running:
            profiler.stop()
            path = os.environ.get("PROFILE_OUT", "profile.txt")
            with open(path, "w") as out:
                out.write(profiler.output_text(unicode=True, show_all=True))
            if profiler.last_session is not None:
                profiler.last_session.save(f"{path}.session.json")

    signal.signal(signal.SIGTERM, lambda *_: (finish(), os._exit(0)))  # if Sanic leaves it to us
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    profiler.start()
    try:
        rasa_main()  # returns once Sanic has handled SIGTERM
    finally:
        finish()


if __name__ == "__main__":
    main()
