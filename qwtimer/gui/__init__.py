"""The technician's window (Qt). Widgets talk only to desk services, never to SQL.

The services the window starts with are imported here, before PySide6: once PySide6 is
loaded it reads the source of every module imported after it (looking for its feature
switches), a cost a module that never uses Qt need not pay on every start.

When PySide6 is already loaded (a process that imported it first, such as one that opens
only the supervisor review), importing them here would win nothing and cost every such
process the technician's window's services: each module then loads them when it uses them.
"""

import sys

if "PySide6" not in sys.modules:
    import qwtimer.desk.call_live
    import qwtimer.desk.calls
    import qwtimer.desk.changes
    import qwtimer.desk.corrections
    import qwtimer.desk.customer_import
    import qwtimer.desk.customers
    import qwtimer.desk.demo
    import qwtimer.desk.desktop_entry
    import qwtimer.desk.instance_link
    import qwtimer.desk.pending
    import qwtimer.desk.phone_lookup
    import qwtimer.desk.phone_settings
    import qwtimer.desk.phone_token
    import qwtimer.desk.reports
    import qwtimer.desk.search
    import qwtimer.desk.summary
    import qwtimer.desk.sync
    import qwtimer.logs  # noqa: F401
