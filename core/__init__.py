"""Shared infrastructure: extensions, database types, mail, i18n, errors and templates helpers."""
