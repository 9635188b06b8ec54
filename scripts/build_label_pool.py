"""Build the candidate pool for manual annotation from ../shared/data.

Deterministic: the same shared data gives the same pool files. Each pool row
keeps the shared dataset's id so labels can always be traced to their origin.
"""
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

from classifiers.data import NEWS_ROUND_POOLS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parents[1] / "data" / "labels"
GITHUB_NEWS = Path(__file__).resolve().parents[1] / "data" / "news" / "education_news_github.jsonl"

EDU_WORDS = re.compile(
    r"học sinh|giáo viên|trường|sinh viên|thầy giáo|cô giáo|mầm non|tiểu học|THCS|THPT"
    r"|đại học|thi tốt nghiệp|tuyển sinh|sách giáo khoa|SGK|học phí|giáo dục|nhà giáo"
    r"|hiệu trưởng|lớp học|bắt nạt|học đường|bán trú|điểm chuẩn|học thêm|dạy thêm",
    re.IGNORECASE,
)


# Words of incidents, crime, criticism and hardship (round three's pools lean on them).
TROUBLE_WORDS = re.compile(
    r"(?<!\w)(?:bạo lực|đánh|tử vong|chết|ngộ độc|gian lận|sai phạm|bức xúc|phẫn nộ|kỷ luật|bắt giữ|khởi tố"
    r"|xâm hại|bạo hành|tai nạn|đuối nước|nợ|xuống cấp|thiếu|vi phạm|tố cáo|tự tử|đình chỉ|điều tra|tạm giữ"
    r"|thương tâm|lừa đảo|chấn thương|nhập viện|dâm ô|hiếp dâm|sai sót|khuất tất|tiêu cực|trái phép|phạt"
    r"|truy tố|xét xử|kêu cứu|gây sốc|tranh cãi|phản đối|bất cập|lo ngại|áp lực|quá tải|bỏ học|mất tích"
    r"|cháy|sập|hành hung|bắt nạt|xúc phạm|thất thoát|tham ô|chiếm đoạt|cảnh báo|nguy hiểm|khó khăn"
    r"|nghèo|ế|thấp|giảm|khủng hoảng|thiệt hại|lũ|bão|trộm|cướp|ô nhiễm|sự cố|thua lỗ|phá sản)(?!\w)"
)
ROUND3_PER_ORIGIN = 1000


def read_jsonl(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def lead(text, limit=400):
    """First sentences of a body, used as the summary the annotator sees."""
    text = re.sub(r"^(Dân trí|VTV\.vn -)\s*", "", (text or "").strip())
    return text[:limit].rsplit(" ", 1)[0] if len(text) > limit else text


def by_hash(row):
    """A fixed, content-blind order: samples drawn in it do not depend on what else was read."""
    return hashlib.sha1(row["id"].encode()).hexdigest()


def candidates(rows, text_of):
    return [r for r in rows if r.get("is_education") or EDU_WORDS.search(text_of(r))]


def main():
    dantri = read_jsonl(SHARED / "news/dantri_2025_8cat.jsonl")
    vne = read_jsonl(SHARED / "news/vnexpress_titles_8cat.jsonl")
    danes = read_jsonl(SHARED / "sentiment/danes_news_sentiment_topic.jsonl")
    multi = read_jsonl(SHARED / "news/vietnam_news_2016_multisource.jsonl.gz")

    pools = {
        "a": [
            {"id": r["id"], "origin": "dantri_2025_8cat", "source": r["source"], "title": r["title"],
             "summary": "; ".join(r.get("keywords") or []), "section": r["label"]}
            for r in candidates(dantri, lambda r: r["title"] + " " + " ".join(r.get("keywords") or []))
        ],
        "b": [
            {"id": r["id"], "origin": "vnexpress_titles_8cat", "source": "vnexpress.net", "title": r["title"],
             "summary": "", "section": r["label"]}
            for r in candidates(vne, lambda r: r["title"])
        ] + [
            {"id": r["id"], "origin": "danes_news_sentiment_topic", "source": r["source"], "title": r["title"],
             "summary": r.get("summary") or "", "section": ",".join(r.get("topics") or [])}
            for r in candidates(danes, lambda r: r["title"] + " " + (r.get("summary") or ""))
        ],
        "c": [
            {"id": r["id"], "origin": "vietnam_news_2016_multisource", "source": r["source"], "title": r["title"],
             "summary": lead(r.get("text")), "section": r["label_path"]}
            for r in candidates(multi, lambda r: r["title"] + " " + lead(r.get("text")))
        ],
    }
    # Second round: the first pools held about 1,400 education items, so we add
    # long 2016 articles whose body (not only the lead) is about schools, and
    # students' own words from UIT-VSFC (social-style education text).
    pooled = {row["id"] for rows in pools.values() for row in rows}
    pools["d"] = [
        {"id": r["id"], "origin": "vietnam_news_2016_multisource", "source": r["source"], "title": r["title"],
         "summary": lead(r.get("text")), "section": r["label_path"]}
        for r in multi
        if r["id"] not in pooled and len(EDU_WORDS.findall(r.get("text") or "")) >= 3
    ]
    vsfc = read_jsonl(SHARED / "sentiment/uit_vsfc_train.jsonl")
    pools["e"] = [
        {"id": r["id"], "origin": "uit_vsfc_train", "source": "student feedback", "title": r["text"],
         "summary": "", "section": r["topic"]}
        for r in sorted(vsfc, key=by_hash)[:700]
    ]
    # Third round: tone. Out of fold, every general-news tone label (DANeS, the
    # non-education items of rounds one and two) raised negative recall on
    # education items, so we add general news not yet pooled, two thirds of it
    # with trouble words, for tone (and education) only; places are not read.
    pooled |= {row["id"] for row in pools["d"]}
    general = [
        {"id": r["id"], "origin": "dantri_2025_8cat", "source": r["source"], "title": r["title"],
         "summary": "; ".join(r.get("keywords") or []), "section": r["label"]} for r in dantri
    ] + [
        {"id": r["id"], "origin": "vnexpress_titles_8cat", "source": "vnexpress.net", "title": r["title"],
         "summary": "", "section": r["label"]} for r in vne
    ] + [
        {"id": r["id"], "origin": "vietnam_news_2016_multisource", "source": r["source"], "title": r["title"],
         "summary": lead(r.get("text"), 300), "section": r["label_path"]} for r in multi if r.get("title")
    ]
    tone_round = []
    for origin in ("dantri_2025_8cat", "vnexpress_titles_8cat", "vietnam_news_2016_multisource"):
        rows = sorted((r for r in general if r["origin"] == origin and r["id"] not in pooled), key=by_hash)
        troubled = [r for r in rows if TROUBLE_WORDS.search((r["title"] + " " + r["summary"]).lower())]
        picked = troubled[:ROUND3_PER_ORIGIN * 2 // 3]
        chosen = {r["id"] for r in picked}
        picked += [r for r in rows if r["id"] not in chosen][:ROUND3_PER_ORIGIN - len(picked)]
        tone_round += picked
    tone_round.sort(key=by_hash)
    for row in tone_round:
        row["round"] = 3
    for k, name in enumerate("fghij"):
        pools[name] = tone_round[k::5]
    pools["agreement_tone"] = tone_round[:150]  # a blind second reading of round three
    # Fourth round: real education-section news (title + sapo) carried over from
    # public crawls (data/news/README.md), the kind of item the office reads
    # most and the shared data had run out of. Fully labelled, places included.
    # Fifth round: education items picked from daily snapshots of general
    # RSS feeds (Tuổi Trẻ, Thanh Niên, VnExpress, Aug-Nov 2025), labelled alike.
    # Sixth round: the same feeds' snapshots from Sep 2025 to Apr 2026;
    # seventh: from May to Sep 2026 (exam season, summer, a new school year);
    # eighth: other days of Sep 2025 to Oct 2026 (pools past the alphabet: r8a ...).
    # Ninth, targeted: from 36 more snapshots only incidents, risks to pupils,
    # misconduct and controversy, the stories the models missed most.
    # Tenth: every education item of 70 more snapshots (Aug 2025 - Oct 2026).
    # Each source row names its round, so a later round never moves an item
    # between pools (or out of the agreement sample) that were already read.
    github = read_jsonl(GITHUB_NEWS)
    for round_, names in NEWS_ROUND_POOLS.items():
        section = "giáo dục" if round_ == 4 else "tin mới (RSS)"
        rows = [r for r in github if r["round"] == round_]
        for k, name in enumerate(names):
            pools[name] = [
                {"id": r["id"], "origin": "education_news_github", "source": r["source"], "title": r["title"],
                 "summary": r["summary"], "section": section, "round": round_}
                for r in rows if int(by_hash(r), 16) % len(names) == k
            ]
    round_four = [row for name in NEWS_ROUND_POOLS[4] for row in pools[name]]
    pools["agreement_news"] = sorted(round_four, key=by_hash)[:100]
    recent = [row for name in NEWS_ROUND_POOLS[6] + NEWS_ROUND_POOLS[7] for row in pools[name]]
    pools["agreement_rss"] = sorted(recent, key=by_hash)[:100]
    round_ten = [row for name in NEWS_ROUND_POOLS[10] for row in pools[name]]
    pools["agreement_r10"] = sorted(round_ten, key=by_hash)[:100]
    # A blind second reading of 150 first-round items measures agreement.
    first_round = pools["a"] + pools["b"] + pools["c"]
    pools["agreement"] = sorted(first_round, key=by_hash)[:150]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in pools.items():
        with open(OUT / f"pool_{name}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
