"""Application services used by the command line and the window alike."""

import qwtimer.store  # noqa: F401  # Peewee first, without the PostgreSQL driver (see there)
