"""The labels the classifier speaks: tones and the topic taxonomy of DOMAIN.md (plus `other`).

Each topic carries a few seed words. They are features the models may weigh
(never rules that decide alone) and they let a reason name the words it saw.
Seeds are written with diacritics and matched without them, so text typed
without tone marks still hits.
"""
from __future__ import annotations

TONES = ("negative", "neutral", "positive")

TOPICS: dict[str, str] = {
    "school_violence": "bạo lực học đường",
    "child_abuse": "xâm hại, bạo hành trẻ",
    "school_safety_accident": "an toàn trường học, tai nạn",
    "food_safety_health": "ngộ độc, y tế trường học",
    "fees_finance": "lạm thu, thu chi",
    "extra_classes": "dạy thêm, học thêm",
    "exams_admissions": "thi cử, tuyển sinh",
    "exam_misconduct": "gian lận thi cử",
    "teacher_conduct": "đạo đức nhà giáo",
    "teacher_staffing_pay": "đội ngũ, lương",
    "curriculum_textbooks": "chương trình, SGK",
    "facilities": "cơ sở vật chất",
    "management_integrity": "quản lý, sai phạm",
    "digital_data": "chuyển đổi số, dữ liệu",
    "policy": "chính sách",
    "achievement": "điển hình, thành tích",
    "other": "khác",
}
DOMAIN_TOPICS = tuple(slug for slug in TOPICS if slug != "other")

SEEDS: dict[str, tuple[str, ...]] = {
    "school_violence": ("bạo lực học đường", "đánh hội đồng", "hành hung", "bắt nạt", "đánh bạn", "đánh nhau",
                        "quay clip", "đâm bạn", "đánh giáo viên", "tát"),
    "child_abuse": ("bạo hành", "dâm ô", "xâm hại", "hiếp dâm", "sàm sỡ", "trẻ mầm non bị", "ngược đãi",
                    "xâm hại tình dục", "cưỡng dâm", "bảo mẫu", "trẻ em bị", "giao cấu", "hành hạ"),
    "school_safety_accident": ("đuối nước", "tai nạn", "cháy", "sập", "điện giật", "tử vong", "mất tích",
                               "bị thương", "rơi từ", "đuối", "tai nạn giao thông", "cấp cứu", "an toàn trường học",
                               "thương tích"),
    "food_safety_health": ("ngộ độc", "bán trú", "bữa ăn", "suất ăn", "dịch bệnh", "sức khỏe học đường",
                           "trầm cảm", "tâm lý học đường", "y tế trường học", "sốt xuất huyết", "tay chân miệng"),
    "fees_finance": ("học phí", "lạm thu", "quỹ phụ huynh", "quỹ lớp", "thu sai", "khoản thu", "xã hội hóa",
                     "miễn học phí", "học bổng", "kinh phí", "ngân sách"),
    "extra_classes": ("dạy thêm", "học thêm", "lò luyện", "luyện thi"),
    "exams_admissions": ("thi tốt nghiệp", "tuyển sinh", "điểm chuẩn", "thí sinh", "kỳ thi", "xét tuyển",
                         "đề thi", "điểm thi", "lớp 10", "đăng ký dự thi", "phúc khảo", "chỉ tiêu"),
    "exam_misconduct": ("gian lận", "lộ đề", "nâng điểm", "sai sót đề thi", "bằng giả", "thi hộ", "phao thi",
                        "sửa điểm", "văn bằng giả"),
    "teacher_conduct": ("giáo viên xúc phạm", "phạt học sinh", "cô giáo đánh", "thầy giáo đánh", "đạo đức nhà giáo",
                        "kỷ luật giáo viên", "giáo viên bị", "cô giáo bị", "thầy giáo bị", "nhục mạ"),
    "teacher_staffing_pay": ("thiếu giáo viên", "nợ lương", "phụ cấp", "tuyển dụng giáo viên", "lương giáo viên",
                             "biên chế", "hợp đồng giáo viên", "nghỉ việc", "thừa giáo viên", "chế độ"),
    "curriculum_textbooks": ("sách giáo khoa", "chương trình giáo dục phổ thông", "môn học", "chương trình mới",
                             "giáo trình", "môn tích hợp", "sách giáo khoa mới"),
    "facilities": ("xuống cấp", "thiếu phòng học", "phòng học", "cơ sở vật chất", "trường học tạm", "nhà vệ sinh",
                   "điểm trường", "xây trường", "thiết bị dạy học"),
    "management_integrity": ("tham ô", "sai phạm", "kỷ luật hiệu trưởng", "thanh tra", "tham nhũng", "khởi tố",
                             "cách chức", "vi phạm", "lừa đảo", "chiếm đoạt"),
    "digital_data": ("chuyển đổi số", "dữ liệu", "phần mềm", "học trực tuyến", "tin giả", "lộ thông tin",
                     "công nghệ", "trí tuệ nhân tạo", "sổ điểm điện tử", "học online"),
    "policy": ("thông tư", "nghị định", "đề án", "dự thảo", "quy định mới", "luật giáo dục", "nghị quyết",
               "quyết định", "chính sách", "tự chủ đại học"),
    "achievement": ("học sinh giỏi", "tấm gương", "tôn vinh", "huy chương", "olympic", "giải nhất", "thủ khoa",
                    "vinh danh", "đạt giải", "khen thưởng", "học bổng toàn phần"),
    "other": (),
}

# People and places of schooling. An outlet's "not education" section label is not trusted on an item
# naming them: a pupil's death or a teacher's arrest is filed under crime, yet the guideline calls it education.
SCHOOL_WORDS = ("học sinh", "sinh viên", "giáo viên", "nhà giáo", "hiệu trưởng", "mầm non", "tiểu học",
                "trung học", "cô giáo", "thầy giáo", "nữ sinh", "nam sinh", "lớp học", "học đường", "thí sinh",
                "học phí", "tuyển sinh", "du học", "đại học", "giáo dục", "nhà trẻ", "mẫu giáo", "bảo mẫu",
                "học trò")

# Words that mark an item as being about schooling at all, and words of trouble.
EDUCATION_SEEDS = ("giáo dục", "học sinh", "sinh viên", "giáo viên", "trường", "nhà giáo", "học đường",
                   "mầm non", "tiểu học", "trung học", "đại học", "tuyển sinh", "thi tốt nghiệp", "học phí",
                   "lớp học", "hiệu trưởng", "du học", "đào tạo", "thí sinh")
NEGATIVE_SEEDS = ("bạo lực", "đánh", "tử vong", "ngộ độc", "lạm thu", "gian lận", "sai phạm", "bức xúc",
                  "phẫn nộ", "kỷ luật", "bắt giữ", "khởi tố", "xâm hại", "bạo hành", "tai nạn", "đuối nước",
                  "nợ lương", "xuống cấp", "thiếu", "vi phạm", "tố", "tự tử", "đình chỉ", "lộ đề", "điều tra",
                  "tạm giữ", "thương tâm", "lừa", "lừa đảo", "ép", "chấn thương", "nhập viện", "dâm ô", "hiếp dâm",
                  "sai sót", "khuất tất", "tiêu cực", "sai quy định", "trái phép", "phạt", "truy tố", "xét xử",
                  "kêu cứu", "chấn động", "gây sốc", "tranh cãi", "phản đối", "bất cập", "lo ngại", "áp lực",
                  "quá tải", "tố cáo", "bỏ học", "mất tích", "cháy", "sập", "hành hung", "bắt nạt", "xúc phạm",
                  "làm nhục", "bất thường", "thất thoát", "tham ô", "chiếm đoạt", "cảnh báo", "nguy hiểm",
                  "khó khăn", "vất vả", "nghèo", "bị", "vụ")
POSITIVE_SEEDS = ("vinh danh", "giải nhất", "huy chương", "thủ khoa", "học bổng", "tấm gương", "xuất sắc",
                  "thành công", "trao tặng", "hỗ trợ", "khen thưởng", "ấn tượng", "đạt giải", "vô địch", "tự hào",
                  "nghị lực", "vượt khó", "sáng tạo", "tuyệt đối", "giỏi", "đỗ", "giành", "top", "xếp hạng",
                  "tôn vinh", "kỷ lục", "ước mơ", "truyền cảm hứng")
