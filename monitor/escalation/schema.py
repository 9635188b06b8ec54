"""Tables of the escalation engine. Never edit an applied migration: add a new one.

stories / story_items   items grouped into stories (with each item's MinHash signature)
incidents               one per story that reached warning: state, level, clocks, escalation step
incident_recipients     who has been told what about an incident (the grouping state)
notifications           every alert planned, once per (incident, recipient, level, update_no)
audit_log               every transition and every notification event, with who and when
silences                mutes for a story, a topic or a place until a time, with a reason
"""
from sqlite_utils import Migrations

escalation = Migrations("monitor.escalation")


@escalation()
def m001_stories(db):
    db.execute(
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            item_count INTEGER NOT NULL DEFAULT 0,
            outlet_count INTEGER NOT NULL DEFAULT 0,
            national_outlets INTEGER NOT NULL DEFAULT 0,
            social_items INTEGER NOT NULL DEFAULT 0,
            engagement INTEGER NOT NULL DEFAULT 0,
            velocity REAL NOT NULL DEFAULT 0,      -- items per hour, recent window
            negative REAL NOT NULL DEFAULT 0,
            topics TEXT NOT NULL DEFAULT '[]',     -- slugs, most frequent first
            places TEXT NOT NULL DEFAULT '[]',     -- display names, most specific first
            outlets TEXT NOT NULL DEFAULT '[]',
            school_levels TEXT NOT NULL DEFAULT '[]',
            own_province INTEGER NOT NULL DEFAULT 0,
            score REAL NOT NULL DEFAULT 0,
            level TEXT NOT NULL DEFAULT 'digest',  -- digest | warning | urgent | critical
            explanation TEXT NOT NULL DEFAULT '',
            dirty INTEGER NOT NULL DEFAULT 1,      -- new items since the last evaluation
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX stories_last_seen ON stories(last_seen)")
    db.execute("CREATE INDEX stories_dirty ON stories(dirty) WHERE dirty = 1")
    db.execute(
        """
        CREATE TABLE story_items (
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            seen_at TEXT NOT NULL,
            how TEXT NOT NULL,                    -- first | near_duplicate | same_event
            similarity REAL,
            signature BLOB NOT NULL               -- MinHash values (uint32, little-endian)
        )"""
    )
    db.execute("CREATE INDEX story_items_story ON story_items(story_id, seen_at)")
    db.execute("CREATE INDEX story_items_seen ON story_items(seen_at)")


@escalation()
def m002_incidents(db):
    db.execute(
        """
        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            story_id INTEGER NOT NULL UNIQUE REFERENCES stories(id),
            state TEXT NOT NULL,                  -- new | acknowledged | handling | resolved | closed
            level TEXT NOT NULL,                  -- highest level since (re)opening
            score REAL NOT NULL DEFAULT 0,
            opened_at TEXT NOT NULL,
            first_alert_at TEXT,
            acknowledged_at TEXT, acknowledged_by TEXT,
            handling_at TEXT, handling_by TEXT,
            resolved_at TEXT, resolved_by TEXT, outcome TEXT, public_url TEXT,
            closed_at TEXT, closed_by TEXT,
            reopened INTEGER NOT NULL DEFAULT 0,
            items_at_resolve INTEGER,
            escalation_step INTEGER NOT NULL DEFAULT 0,
            escalated_at TEXT,                    -- when the acknowledgement clock last started
            deadline_at TEXT,                     -- response deadline for the current level
            reminded_at TEXT,
            silence_id INTEGER,                   -- the silence muting it now, if any
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX incidents_state ON incidents(state)")
    db.execute(
        """
        CREATE TABLE incident_recipients (
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            via TEXT NOT NULL,                    -- the route that chose them, or 'escalation'
            level TEXT,                           -- level of the last alert sent; NULL before the first
            updates INTEGER NOT NULL DEFAULT 0,   -- growth updates sent at that level
            last_sent_at TEXT,
            outlets_at_last INTEGER NOT NULL DEFAULT 0,
            items_at_last INTEGER NOT NULL DEFAULT 0,
            held_since TEXT,                      -- a warning waiting for the end of quiet hours
            added_at TEXT NOT NULL,
            PRIMARY KEY (incident_id, recipient)
        )"""
    )
    db.execute(
        """
        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            level TEXT NOT NULL,
            update_no INTEGER NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (incident_id, recipient, level, update_no)
        )"""
    )
    db.execute(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            incident_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX audit_log_incident ON audit_log(incident_id, id)")
    db.execute(
        """
        CREATE TABLE silences (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,                  -- story | topic | place
            value TEXT NOT NULL,                  -- story id, topic slug or place name
            until TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expired_at TEXT
        )"""
    )


@escalation()
def m003_shingle_counts(db):
    # The number of shingles behind each signature: same-event matching compares containment, which needs it.
    db.execute("ALTER TABLE story_items ADD COLUMN shingles INTEGER NOT NULL DEFAULT 0")
