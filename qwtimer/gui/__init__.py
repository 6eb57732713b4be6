"""The technician's window (Qt). Widgets talk only to desk services, never to SQL.

The services the window's first screen needs are imported here, before PySide6: once PySide6
is loaded it reads the source of every module imported after it (looking for its feature
switches), a cost a module that never uses Qt need not pay on every start. The rest of the
window and its services load once the first screen is up (``MainWindow.build_rest``).
"""

import qwtimer.core.billing
import qwtimer.core.phone_events
import qwtimer.desk.changes
import qwtimer.desk.context
import qwtimer.desk.instance_link
import qwtimer.desk.search
import qwtimer.logs  # noqa: F401
