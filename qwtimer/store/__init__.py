"""Peewee storage: the local database, its schema versions, and (later) the central ledger."""
