"""Entry point of the frozen bundle."""

import sys

from qwtimer.cli import main

if __name__ == "__main__":
    sys.exit(main())
