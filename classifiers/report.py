"""Plain-text renderings of an evaluation report and of one item's tags, in Vietnamese."""
from __future__ import annotations

from classifiers.artifacts import Bundle
from classifiers.taxonomy import TOPICS

TONE_VI = {"negative": "tiêu cực", "neutral": "trung tính", "positive": "tích cực"}
TASK_VI = {"education": "Giáo dục (có/không)", "tone": "Sắc thái", "topics": "Chủ đề"}


def _table(task: dict) -> list[str]:
    lines = [f"    {'lớp':<24} {'P':>6} {'R':>6} {'F1':>6} {'số mẫu':>7}"]
    for name, m in task["classes"].items():
        if m["support"] or m["precision"]:
            lines.append(f"    {name:<24} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} {m['support']:>7}")
    return lines


def _task_summary(name: str, task: dict) -> str:
    if name == "education":
        return f"F1 {task['f1']:.3f}, độ chính xác {task['accuracy']:.3f}, {task['n']} mẫu"
    if name == "tone":
        neg = task["classes"]["negative"]
        return (f"macro-F1 {task['macro_f1']:.3f}; tiêu cực P {neg['precision']:.3f} R {neg['recall']:.3f}; "
                f"{task['n']} mẫu")
    below = ", ".join(task["topics_below_0.60"]) or "không có"
    return (f"micro-F1 {task['micro_f1']:.3f} (P {task['micro_precision']:.3f}, R {task['micro_recall']:.3f}); "
            f"chủ đề dưới 0.60: {below}; {task['n']} mẫu")


def _section(title: str, part: dict, detail: bool = True) -> list[str]:
    lines = [title]
    for name in ("education", "tone", "topics"):
        if name in part and part[name]:
            lines.append(f"  {TASK_VI[name]}: {_task_summary(name, part[name])}")
            if detail:
                lines.extend(_table(part[name]))
            if detail and name == "tone" and part[name].get("negative_curve"):
                lines.append("    ngưỡng tiêu cực → P/R: " + "; ".join(
                    f"{p['threshold']:.1f} → {_num(p['precision'])}/{_num(p['recall'])}" for p in part[name]["negative_curve"]))
    return lines


def render(bundle: Bundle, result: dict) -> str:
    held = result["held_out"]
    lines = [f"Mô hình {bundle.version} (huấn luyện {bundle.meta.get('trained_at', '?')}, "
             f"scikit-learn {bundle.meta.get('sklearn_version')})",
             f"Tập kiểm tra giữ riêng (theo băm id): {held['annotated']} tin gán nhãn tay "
             f"({held['news']} tin báo chí), {held['sections']} tin chỉ có nhãn chuyên mục.", ""]
    lines += _section("== Tin gán nhãn tay (giữ riêng) ==", result["annotated"])
    lines += [""] + _section("== Cùng các tin, đã bỏ dấu ==", result["annotated_stripped"])
    lines += [""] + _section("== Chỉ tin báo chí (không gồm góp ý sinh viên UIT-VSFC) ==",
                             result["annotated_news_only"], detail=False)
    combined, sections = result["education_annotated_plus_sections"], result["sections_only"]
    if combined:
        lines += ["", f"Giáo dục trên tin gán nhãn + tin nhãn chuyên mục giữ riêng: F1 {combined['f1']:.3f} "
                      f"({combined['n']} mẫu); riêng tin nhãn chuyên mục: độ chính xác {sections['accuracy']:.3f}."]
    loc = result["locality"]
    lines += ["", "== Địa danh (bộ so khớp địa danh, trên tin gán nhãn giữ riêng có nêu địa danh) ==",
              f"  {loc['items_with_places']} tin có địa danh: đúng tỉnh 2025 {_pct(loc['province_accuracy'])}, "
              f"đúng huyện cũ {_pct(loc['district_accuracy'])}, đúng tỉnh cũ {_pct(loc['legacy_accuracy'])}; "
              f"tin không có địa danh mà vẫn báo: {_pct(loc['false_place_rate'])}"]
    office = result["office"]
    lines += ["", f"== Nhãn của văn phòng: {office['labels']} nhãn, {office['unseen_by_model']} nhãn mô hình chưa học =="]
    if office["unseen"]:
        lines += _section("  Trên nhãn mô hình chưa học:", office["unseen"], detail=False)
    if office["all"]:
        lines += _section("  Trên mọi nhãn của văn phòng (gồm cả nhãn đã học):", office["all"], detail=False)
    return "\n".join(lines)


def _num(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pct(value) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render_tags(result: dict) -> str:
    reasons = result["reasons"]
    edu = "CÓ" if result["is_education"] else "KHÔNG"
    lines = [f"Giáo dục: {edu} (xác suất {result['education']:.2f})",
             f"  vì: {', '.join(reasons['education']) or '-'}",
             f"Sắc thái: {TONE_VI[result['tone']]} (xác suất tiêu cực {result['negative']:.2f})",
             f"  vì: {', '.join(reasons['tone']) or '-'}"]
    if result["topics"]:
        lines.append("Chủ đề:")
        for slug in result["topics"]:
            words = ", ".join(reasons["topics"].get(slug, [])) or "-"
            lines.append(f"  {slug} ({TOPICS[slug]}) {result['topic_scores'][slug]:.2f} — vì: {words}")
    else:
        lines.append("Chủ đề: -")
    if reasons["seed_words"]:
        lines.append("Từ khóa gặp: " + "; ".join(f"{g}: {', '.join(w)}" for g, w in reasons["seed_words"].items()))
    if result["places"]:
        lines.append("Địa danh:")
        for p in result["places"]:
            extra = ", ".join(x for x in (p.get("commune"), p.get("district") and f"huyện cũ {p['district']}",
                                          p.get("legacy_province") and f"tỉnh cũ {p['legacy_province']}") if x)
            lines.append(f"  {p['province']}" + (f" ({extra})" if extra else "") + f" ← “{p['span']}”")
    else:
        lines.append("Địa danh: -")
    if result["schools"]:
        lines.append("Trường: " + "; ".join(result["schools"]))
    return "\n".join(lines)
