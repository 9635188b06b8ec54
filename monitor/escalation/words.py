"""Vietnamese names for what the engine records and shows (levels, alert kinds, reasons, audit actions)."""
from __future__ import annotations

LEVEL_NAMES = {"digest": "ĐIỂM TIN", "warning": "CẢNH BÁO", "urgent": "KHẨN", "critical": "KHẨN CẤP"}
KIND_NAMES = {"new": "cảnh báo mới", "update": "cập nhật", "escalation": "chuyển cấp", "reminder": "nhắc",
              "resolved": "báo đã xử lý"}
REASON_NAMES = {"first": "lần đầu", "level_up": "lên mức", "grew": "thêm nguồn", "ack_timeout": "quá hạn xác nhận",
                "repeat": "nhắc lại", "deadline": "sắp đến hạn", "resolved": "đã xử lý"}
ACTION_NAMES = {
    "opened": "mở sự cố", "level": "đổi mức", "notify": "lên lịch gửi", "held": "giữ đến sáng",
    "inhibited": "bỏ tin mức thấp", "escalated": "chuyển cấp", "silenced": "tắt cảnh báo",
    "unsilenced": "bật lại cảnh báo", "acknowledged": "xác nhận", "handling": "đang xử lý", "resolved": "đã xử lý",
    "closed": "đóng", "reopened": "mở lại",
    # delivery events (monitor.notify.deliver)
    "sent": "đã gửi", "repeat": "gửi lại", "failed": "lỗi, chuyển kênh", "dead_letter": "không gửi được",
}


def level_name(level: str) -> str:
    return LEVEL_NAMES.get(level, level)


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action)
