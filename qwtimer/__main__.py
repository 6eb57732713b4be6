import sys

from qwtimer.entry import main

sys.exit(main())
