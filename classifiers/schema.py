"""The classifier's tables: the office's corrections (labels)."""
from sqlite_utils import Migrations

migrations = Migrations("classifiers")


@migrations()
def m001_labels(db):
    # One row per correction. What was judged (title, summary, text) is copied
    # so a label still trains a model after its item changes or is deleted.
    db.execute(
        """
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY,
            item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
            title TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            education INTEGER,              -- 1/0, NULL = not corrected
            tone TEXT,                      -- negative | neutral | positive
            topics TEXT,                    -- JSON list of slugs
            places TEXT,                    -- JSON list of place dicts
            labelled_by TEXT NOT NULL,
            labelled_at TEXT NOT NULL,
            note TEXT
        )"""
    )
    db.execute("CREATE INDEX labels_item ON labels(item_id, id)")
