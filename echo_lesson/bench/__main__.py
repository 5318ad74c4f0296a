"""`python -m echo_lesson.bench --serve NAME`: how ServerProcess starts a server in a child
process (people run `python -m echo_lesson bench`)."""
import sys

from .processes import serve

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        sys.exit("usage: python -m echo_lesson.bench --serve NAME (use python -m echo_lesson bench)")
