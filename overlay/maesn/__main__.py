"""`python -m maesn`: the command line (see `maesn --help`)."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
