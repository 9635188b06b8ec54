"""Delivery: notifiers (one small class per channel), the SQLite outbox and the drain loop.

``monitor.config`` is imported first so that ``monitor.notify.config`` (which
builds on its Strict/Duration types) can be imported on its own.
"""
import monitor.config  # noqa: F401  (see docstring: import order)
