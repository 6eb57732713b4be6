"""qwtimer: a call timer and minute-bank ledger for a phone-support desk."""

# The one place each is written: the package's metadata, the bundle, its archives and the
# Debian package take the version from here.
__version__ = "0.1.0"
# The program's name everywhere a desktop knows it: the data and log folders, Qt's
# application and organisation name, the desktop entry (APP.desktop) and the window class.
APP = "qwtimer"
