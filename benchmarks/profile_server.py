"""Run a server command (`rasa run ...` or `rasa run actions ...`) under pyinstrument; on SIGTERM
write the profile as text and exit. Sanic swallows SIGINT, so `python -m pyinstrument` never gets
to write its report.

  PROFILE_OUT=prof.txt python benchmarks/profile_server.py run --model ... --port 5306
"""
import os
import signal
import sys

from pyinstrument import Profiler


def main() -> None:
    profiler = Profiler(interval=0.001, async_mode="disabled")

    def finish(*_):
        profiler.stop()
        with open(os.environ.get("PROFILE_OUT", "profile.txt"), "w") as out:
            out.write(profiler.output_text(unicode=True, show_all=False))
        os._exit(0)

    signal.signal(signal.SIGTERM, finish)
    from rasa.__main__ import main as rasa_main
    sys.argv = ["rasa", *sys.argv[1:]]
    profiler.start()
    rasa_main()


if __name__ == "__main__":
    main()
