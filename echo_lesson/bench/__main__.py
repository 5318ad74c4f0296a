"""`python -m echo_lesson.bench --serve NAME`: how ServerProcess starts a server in a child
process (people run `python -m echo_lesson bench`)."""
import sys

from .processes import serve

if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--serve":
        serve(*sys.argv[2:])  # NAME [FOLDER]: the folder an HTTP server serves
    else:
        sys.exit("usage: python -m echo_lesson.bench --serve NAME [FOLDER] "
                 "(use python -m echo_lesson bench)")
