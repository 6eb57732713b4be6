"""qwtimer: a call timer and minute-bank ledger for a phone-support desk."""

__version__ = "0.1.0"
