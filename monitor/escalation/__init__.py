"""Stories, hotness and the escalation engine.

items --(stories.py: MinHash LSH + same-event match)--> stories
stories --(hotness.py: spike + score -> level)--> incidents (incidents.py)
incidents --(routes.py, decisions.py, planner.py)--> Alerts in the outbox

``engine.process`` runs after each ingest cycle and ``engine.tick`` on a
timer. Decisions (route match, level, notify reason, escalation step) are
pure functions of values and ``now``; everything else reads and writes the
store in one transaction per incident.

``monitor.config`` is imported first so that ``monitor.escalation.config``
(which builds on its Strict base) can be imported on its own.
"""
import monitor.config  # noqa: F401  (see docstring: import order)
