import sys

from qwtimer.cli import main

sys.exit(main())
