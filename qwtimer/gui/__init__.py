"""The technician's window (Qt). Widgets talk only to desk services, never to SQL.

The services the window's first screen needs are imported here, before PySide6: once PySide6
is loaded it reads the source of every module imported after it (looking for its feature
switches), a cost a module that never uses Qt need not pay on every start. The desk itself
(the store, Peewee) is not among them: the first screen shows before it is opened, and it
loads then (``qwtimer.gui.window_start``). The rest of the window and its services load once
the customers are searchable (``MainWindow.build_rest``).

When PySide6 is already loaded (a process that imported it first, such as one that opens
only the supervisor review), importing them here would win nothing and cost every such
process the technician's window's services: each module then loads them when it uses them.
"""

import sys

if "PySide6" not in sys.modules:
    import qwtimer.core.phone_events
    import qwtimer.core.words
    import qwtimer.desk.changes
    import qwtimer.desk.instance_link
    import qwtimer.desk.search
    import qwtimer.logs  # noqa: F401
