"""Stories on a real database: near duplicates and same-event rewrites join, other events do not, the window
slides, the index is rebuilt from stored signatures, and a story's figures are what the score needs."""
from __future__ import annotations

from datetime import timedelta

from monitor.config import Stories
from monitor.escalation import stories
from monitor.escalation.similarity import containment, shingles, signature, signatures, similarity
from tests.escalation_fixtures import ELSEWHERE, MAI_CHAU, T0, add_item

SETTINGS = Stories()
OTHER_COMMUNE = {"province": "Tỉnh Phú Thọ", "legacy_province": "Vĩnh Phúc", "district": "Huyện Tam Dương",
                 "commune": None, "span": "Tam Dương"}


def story_ids(db) -> list[int]:
    return [sid for (sid,) in db.execute("SELECT story_id FROM story_items ORDER BY item_id").fetchall()]


def cluster(db, now):
    return stories.cluster(db, SETTINGS, now)


def test_copies_and_rewrites_of_one_event_make_one_story(db):
    add_item(db, "vnexpress", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu, clip lan truyền trên mạng", T0)
    add_item(db, "dantri", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu, clip lan truyền trên mạng", T0)  # syndicated
    add_item(db, "tuoitre", "Vụ nữ sinh lớp 8 bị đánh hội đồng tại Mai Châu: công an vào cuộc", T0)    # rewritten
    add_item(db, "baophutho", "Mai Chau: nu sinh lop 8 bi nhom ban danh hoi dong", T0)              # no tone marks
    cluster(db, T0)
    assert len(set(story_ids(db))) == 1
    hows = [h for (h,) in db.execute("SELECT how FROM story_items ORDER BY item_id")]
    assert hows[0] == "first" and hows[1] == "near_duplicate" and set(hows[2:]) <= {"near_duplicate", "same_event"}


def test_other_events_are_other_stories(db):
    add_item(db, "vnexpress", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu", T0)
    add_item(db, "dantri", "Nữ sinh lớp 8 bị đánh hội đồng ở Tam Dương", T0, places=(OTHER_COMMUNE,))
    add_item(db, "tuoitre", "Hàng trăm học sinh Mai Châu nhận học bổng đầu năm", T0, topics=("achievement",),
             negative=0.05)
    add_item(db, "vtc", "Thí sinh Hà Nội bước vào kỳ thi lớp 10", T0, topics=("exams_admissions",),
             places=(ELSEWHERE,), province="Hà Nội")
    cluster(db, T0)
    assert len(set(story_ids(db))) == 4


def test_not_education_or_not_classified_is_left_alone(db):
    add_item(db, "vnexpress", "Giá vàng tăng mạnh", T0, education=False)
    unclassified = add_item(db, "dantri", "Học sinh lớp 8 bị đánh", T0)
    db.execute("UPDATE items SET classified_at = NULL WHERE id = ?", [unclassified])
    assert cluster(db, T0) == set()


def test_the_window_slides(db):
    add_item(db, "vnexpress", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu", T0)
    cluster(db, T0)
    late = T0 + timedelta(hours=73)
    add_item(db, "dantri", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu", late)
    cluster(db, late)
    assert len(set(story_ids(db))) == 2


def test_a_story_with_an_incident_stays_matchable_longer(db):
    add_item(db, "vnexpress", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu", T0)
    (story_id,) = cluster(db, T0)
    db.execute("INSERT INTO incidents (story_id, state, level, opened_at, updated_at) VALUES (?, 'resolved', "
               "'urgent', ?, ?)", [story_id, T0.isoformat(), T0.isoformat()])
    late = T0 + timedelta(days=5)
    add_item(db, "dantri", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu", late)
    assert cluster(db, late) == {story_id}


def test_the_index_is_rebuilt_from_stored_signatures(db):
    add_item(db, "vnexpress", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu, clip lan truyền", T0)
    (story_id,) = cluster(db, T0)
    stories.forget_index(db, SETTINGS)                    # a restart
    add_item(db, "dantri", "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu, clip lan truyền", T0 + timedelta(hours=1))
    assert cluster(db, T0 + timedelta(hours=1)) == {story_id}
    db.execute("DELETE FROM story_items WHERE item_id = 2")   # the table no longer matches the cached index
    assert cluster(db, T0 + timedelta(hours=1)) == {story_id}
    assert len(stories.story_index(db, SETTINGS, T0 + timedelta(hours=1))) == 2


def test_similarity_ignores_marks_and_placement():
    marked = signature("Học sinh ở Hòa Bình bị ngộ độc thực phẩm")
    assert similarity(marked, signature("Hoc sinh o Hoa Binh bi ngo doc thuc pham")) == 1.0
    assert similarity(marked, signature("Học sinh ở Hoà Bình bị ngộ độc thực phẩm")) == 1.0
    assert b"hoc sinh" in shingles("Học sinh") and b"o" not in shingles("ở đây")


def test_containment_lets_a_bare_headline_join_its_story():
    title = "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu"
    lead = ("Một nữ sinh lớp 8 trường THCS ở huyện Mai Châu bị nhóm bạn cùng trường đánh hội đồng, "
            "quay clip đăng lên mạng xã hội. Công an huyện đang vào cuộc xác minh.")
    (full, full_size), (bare, bare_size) = signatures([(title, lead), (title, "")])
    assert similarity(full, bare) < 0.5
    assert containment(full, full_size, bare, bare_size) > 0.8


def test_figures_of_a_story(db):
    when = [T0, T0 + timedelta(minutes=30), T0 + timedelta(minutes=50), T0 + timedelta(hours=2)]
    add_item(db, "vnexpress", "Nữ sinh trường THCS bị đánh hội đồng ở Mai Châu", when[0],
             url="https://vnexpress.net/a.html", negative=0.9)
    add_item(db, "vnexpress-moi", "Nữ sinh trường THCS bị đánh hội đồng ở Mai Châu", when[1],
             url="https://www.vnexpress.net/b.html", negative=0.8)                      # same outlet, other feed
    add_item(db, "google", "Nữ sinh trường THCS bị đánh hội đồng ở Mai Châu - Dân trí", when[2],
             url="https://news.google.com/rss/articles/x", topics=("school_violence", "teacher_conduct"),
             negative=0.7)
    add_item(db, "nhom-phu-huynh", "Nữ sinh trường THCS bị đánh hội đồng ở Mai Châu", when[3], reach="social",
             negative=0.1)
    (story_id,) = cluster(db, when[3])
    story = stories.load_story(db, story_id, when[3], "Phú Thọ")
    assert story.item_count == 4
    assert set(story.outlets) == {"vnexpress.net", "Dân trí", "nhom-phu-huynh"}
    assert (story.national_outlets, story.social_items) == (2, 1)
    assert story.first_seen == when[0] and story.last_seen == when[3]
    assert story.velocity == 2.0                          # 4 items within the last 2 hours
    assert round(story.negative, 2) == 0.8                # mean of the three most negative
    assert story.topics == ("school_violence", "teacher_conduct")
    assert story.places == ("Huyện Mai Châu", "Hòa Bình", "Tỉnh Phú Thọ")
    assert story.own_province and story.school_levels == {"lower_secondary"}
    assert story.items[0].seen_at == when[3]              # newest first


def test_legacy_province_alone_is_the_office_province():
    rows = [{"id": 1, "title": "Học sinh tiểu học bị ngộ độc", "source": "x", "reach": "local",
             "seen_at": T0.isoformat(), "places": '[{"legacy_province": "Hòa Bình"}]', "province": None}]
    story = stories.summarize(1, rows, T0, "Phú Thọ")
    assert story.own_province and story.school_levels == {"primary"}
    rows[0]["places"] = '[{"province": "Thành phố Hà Nội"}]'
    assert not stories.summarize(1, rows, T0, "Phú Thọ").own_province
