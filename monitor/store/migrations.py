"""Schema history. Never edit an applied migration: add a new one.

``MIGRATION_SETS`` lists every feature's set in the order they apply.
"""
from sqlite_utils import Migrations

core = Migrations("monitor.core")


@core()
def m001_initial(db):
    db.execute(
        """
        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            reach TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            enabled INTEGER NOT NULL DEFAULT 1,
            etag TEXT,
            last_modified TEXT,
            last_attempt_at TEXT,
            last_success_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            next_due_at TEXT,
            moved_to TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
            started_at TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            outcome TEXT NOT NULL,          -- ok | not_modified | error
            status INTEGER,
            bytes INTEGER,
            new_items INTEGER NOT NULL DEFAULT 0,
            updated_items INTEGER NOT NULL DEFAULT 0,
            error TEXT
        )"""
    )
    db.execute("CREATE INDEX fetch_log_source ON fetch_log(source, started_at)")
    db.execute(
        """
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL REFERENCES sources(name),
            guid TEXT NOT NULL,
            url TEXT,
            title TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            author TEXT,
            outlet TEXT,                    -- the publishing outlet (host or Google News source)
            published_at TEXT,
            fetched_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            text_fetched_at TEXT,
            content_hash TEXT NOT NULL,
            language TEXT,
            -- the classifier's tags (filled by classifiers.pipeline)
            classified_at TEXT,
            model_version TEXT,
            education REAL,
            is_education INTEGER,
            tone TEXT,
            negative REAL,
            topics TEXT,
            topic_scores TEXT,
            places TEXT,
            schools TEXT,
            province TEXT
        )"""
    )
    db.execute("CREATE UNIQUE INDEX items_source_guid ON items(source, guid)")
    db.execute("CREATE INDEX items_url ON items(url)")
    db.execute("CREATE INDEX items_published ON items(published_at)")
    db.execute("CREATE INDEX items_fetched ON items(fetched_at)")
    db.execute("CREATE INDEX items_unclassified ON items(classified_at) WHERE classified_at IS NULL")
    # Search index. Rows hold the item's text with 'đ' folded to 'd' so that
    # unicode61's diacritic removal makes queries match with or without marks.
    db.execute(
        """
        CREATE VIRTUAL TABLE items_fts USING fts5(
            title, summary, text, tokenize = 'unicode61 remove_diacritics 2'
        )"""
    )


def folded_sql(column: str) -> str:
    """SQL for the value the search index stores: 'đ' folded to 'd' (unicode61 strips the other marks)."""
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


@core()
def m002_search_index_triggers(db):
    """The database keeps the search index in step with items itself, in the same statement."""
    row = f"new.id, {folded_sql('new.title')}, {folded_sql('new.summary')}, {folded_sql('new.text')}"
    db.execute(f"""CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts (rowid, title, summary, text) VALUES ({row}); END""")
    db.execute(f"""CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, text ON items BEGIN
        DELETE FROM items_fts WHERE rowid = old.id;
        INSERT INTO items_fts (rowid, title, summary, text) VALUES ({row}); END""")
    db.execute("""CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        DELETE FROM items_fts WHERE rowid = old.id; END""")



@core()
def m003_search_index_in_batches(db):
    """New items join the search index once per batch (``index_pending``), not through a trigger per row.

    One statement over a cycle's new rows costs about a sixth of what row-by-row
    triggers cost, and the trigger was the largest single cost of storing an
    item. ``search_state.indexed_through`` is the highest item id in the index;
    the update trigger leaves rows above it alone, so each row is indexed
    once, with its latest values, when its batch is indexed.
    """
    row = f"new.id, {folded_sql('new.title')}, {folded_sql('new.summary')}, {folded_sql('new.text')}"
    db.execute("DROP TRIGGER items_fts_insert")
    db.execute("DROP TRIGGER items_fts_update")
    db.execute("CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL)")
    db.execute("INSERT INTO search_state (id, indexed_through) VALUES (1, COALESCE((SELECT MAX(id) FROM items), 0))")
    db.execute(f"""CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, text ON items
        WHEN old.id <= (SELECT indexed_through FROM search_state) BEGIN
        DELETE FROM items_fts WHERE rowid = old.id;
        INSERT INTO items_fts (rowid, title, summary, text) VALUES ({row}); END""")

# Feature sets append themselves here in order (core first).
MIGRATION_SETS: list[Migrations] = [core]

from monitor.notify.schema import notify  # noqa: E402

MIGRATION_SETS.append(notify)

from monitor.escalation.schema import escalation  # noqa: E402

MIGRATION_SETS.append(escalation)

from classifiers.schema import migrations as classifier_labels  # noqa: E402

MIGRATION_SETS.append(classifier_labels)
