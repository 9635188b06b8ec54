"""The small HTTP app behind acknowledge/resolve links; the dashboard builds on it.

``monitor.config`` is imported first so that ``monitor.web.config`` can be
imported on its own.
"""
import monitor.config  # noqa: F401  (see docstring: import order)
