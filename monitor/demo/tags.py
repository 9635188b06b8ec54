"""Demo stage: what the classifier made of the collected items, negative education items first."""
from __future__ import annotations

import json

from rich.table import Table

from classifiers.taxonomy import TOPICS

SHOWN = 15


async def show_tags(demo) -> None:
    db = demo.db
    total, tagged, education, negative = db.execute(
        """SELECT COUNT(*), SUM(classified_at IS NOT NULL), SUM(is_education = 1),
                  SUM(is_education = 1 AND tone = 'negative') FROM items""").fetchone()
    version = db.execute("SELECT model_version FROM items WHERE model_version IS NOT NULL LIMIT 1").fetchone()
    demo.console.print(f"Phân loại (mô hình {version[0] if version else '-'}): {tagged or 0}/{total} tin đã gắn nhãn, "
                       f"{education or 0} tin giáo dục, trong đó {negative or 0} tin tiêu cực.")
    topic_counts = db.execute(
        """SELECT value, COUNT(*) FROM items, json_each(items.topics) WHERE is_education = 1
           GROUP BY value ORDER BY COUNT(*) DESC""").fetchall()
    if topic_counts:
        demo.console.print("Chủ đề: " + ", ".join(f"{TOPICS.get(slug, slug)} {n}" for slug, n in topic_counts))
    rows = list(db.query(
        """SELECT id, title, negative, topics, province FROM items
           WHERE is_education = 1 AND tone = 'negative' ORDER BY negative DESC LIMIT ?""", [SHOWN]))
    if not rows:
        return
    table = Table(title=f"Tin giáo dục tiêu cực ({min(len(rows), SHOWN)} tin mạnh nhất)", expand=True)
    table.add_column("#", no_wrap=True)
    table.add_column("Tiêu đề", ratio=5)
    table.add_column("P(tiêu cực)", no_wrap=True)
    table.add_column("Chủ đề", ratio=2)
    table.add_column("Tỉnh/thành", ratio=1)
    for row in rows:
        table.add_row(str(row["id"]), row["title"], f"{row['negative']:.2f}",
                      ", ".join(json.loads(row["topics"] or "[]")), row["province"] or "-")
    demo.console.print(table)
