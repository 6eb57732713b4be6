"""Entry point of the frozen bundle."""

import sys

from qwtimer.entry import main

if __name__ == "__main__":
    sys.exit(main())
