"""Tables of the delivery side: the outbox and the rotating Zalo OA token.

Never edit an applied migration: add a new one.
"""
from sqlite_utils import Migrations

notify = Migrations("monitor.notify")


@notify()
def m001_outbox(db):
    # One row per (incident, recipient, channel, level, update_no). A row that
    # falls over to the recipient's next channel stays as 'failed' and a new
    # row carries the next channel; dead-letter notices to the admin point at
    # the dead row through ``dead_letter_of`` (0 for ordinary alerts).
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            incident_id INTEGER NOT NULL,
            story_id INTEGER,
            recipient TEXT NOT NULL,
            channel TEXT NOT NULL DEFAULT '',   -- '' until the first channel is chosen
            level TEXT NOT NULL,
            update_no INTEGER NOT NULL,
            kind TEXT NOT NULL,
            dead_letter_of INTEGER NOT NULL DEFAULT 0,
            payload TEXT NOT NULL,              -- the Alert as JSON
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | failed | dead
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            claimed_at TEXT,
            sent_at TEXT,
            repeat INTEGER NOT NULL DEFAULT 0,  -- sent again after a crash between send and record
            last_error TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (incident_id, recipient, channel, level, update_no, dead_letter_of)
        )"""
    )
    db.execute("CREATE INDEX outbox_due ON outbox(status, next_attempt_at)")
    db.execute("CREATE INDEX outbox_key ON outbox(incident_id, recipient, level, update_no)")
    # The Zalo OA refresh token is single-use: each refresh returns a new one,
    # which must be stored before anything else happens.
    db.execute(
        """
        CREATE TABLE zalo_oauth (
            app_id TEXT PRIMARY KEY,
            access_token TEXT,
            access_expires_at TEXT,
            refresh_token TEXT NOT NULL,
            seed_hash TEXT NOT NULL,            -- hash of the env refresh token it was seeded from
            updated_at TEXT NOT NULL
        )"""
    )
