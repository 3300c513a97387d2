"""The 50 districts (เขต) of Bangkok, with the names people type."""

from __future__ import annotations

import difflib

DISTRICTS = (
    "พระนคร",
    "ดุสิต",
    "หนองจอก",
    "บางรัก",
    "บางเขน",
    "บางกะปิ",
    "ปทุมวัน",
    "ป้อมปราบศัตรูพ่าย",
    "พระโขนง",
    "มีนบุรี",
    "ลาดกระบัง",
    "ยานนาวา",
    "สัมพันธวงศ์",
    "พญาไท",
    "ธนบุรี",
    "บางกอกใหญ่",
    "ห้วยขวาง",
    "คลองสาน",
    "ตลิ่งชัน",
    "บางกอกน้อย",
    "บางขุนเทียน",
    "ภาษีเจริญ",
    "หนองแขม",
    "ราษฎร์บูรณะ",
    "บางพลัด",
    "ดินแดง",
    "บึงกุ่ม",
    "สาทร",
    "บางซื่อ",
    "จตุจักร",
    "บางคอแหลม",
    "ประเวศ",
    "คลองเตย",
    "สวนหลวง",
    "จอมทอง",
    "ดอนเมือง",
    "ราชเทวี",
    "ลาดพร้าว",
    "วัฒนา",
    "บางแค",
    "หลักสี่",
    "สายไหม",
    "คันนายาว",
    "สะพานสูง",
    "วังทองหลาง",
    "คลองสามวา",
    "บางนา",
    "ทวีวัฒนา",
    "ทุ่งครุ",
    "บางบอน",
)


# The BMA's six district groups (กลุ่มเขต), each with its districts.
ZONES: dict[str, tuple[str, ...]] = {
    "กลุ่มกรุงเทพกลาง": (
        "พระนคร",
        "ป้อมปราบศัตรูพ่าย",
        "สัมพันธวงศ์",
        "ดุสิต",
        "พญาไท",
        "ราชเทวี",
        "ดินแดง",
        "ห้วยขวาง",
        "วังทองหลาง",
    ),
    "กลุ่มกรุงเทพใต้": (
        "ปทุมวัน",
        "บางรัก",
        "สาทร",
        "บางคอแหลม",
        "ยานนาวา",
        "คลองเตย",
        "วัฒนา",
        "พระโขนง",
        "บางนา",
        "สวนหลวง",
    ),
    "กลุ่มกรุงเทพเหนือ": ("บางซื่อ", "จตุจักร", "ลาดพร้าว", "บางเขน", "หลักสี่", "สายไหม", "ดอนเมือง"),
    "กลุ่มกรุงเทพตะวันออก": (
        "บางกะปิ",
        "บึงกุ่ม",
        "สะพานสูง",
        "คันนายาว",
        "มีนบุรี",
        "คลองสามวา",
        "หนองจอก",
        "ลาดกระบัง",
        "ประเวศ",
    ),
    "กลุ่มกรุงธนเหนือ": ("ธนบุรี", "บางกอกใหญ่", "คลองสาน", "บางกอกน้อย", "บางพลัด", "ตลิ่งชัน", "ทวีวัฒนา"),
    "กลุ่มกรุงธนใต้": ("ภาษีเจริญ", "บางแค", "หนองแขม", "จอมทอง", "ราษฎร์บูรณะ", "ทุ่งครุ", "บางขุนเทียน", "บางบอน"),
}


def zone_short(zone: str) -> str:
    """A district group's name without the word 'กลุ่ม' (short enough for a button)."""
    return zone.removeprefix("กลุ่ม")


def match_zone(typed: str) -> str | None:
    """The district group a person chose or typed, with or without 'กลุ่ม' / 'กลุ่มเขต'; None if none."""
    cleaned = typed.strip().replace(" ", "").removeprefix("กลุ่มเขต").removeprefix("กลุ่ม")
    return next((zone for zone in ZONES if zone_short(zone) == cleaned), None)


def zone_of(district: str) -> str | None:
    """The district group a district belongs to."""
    return next((zone for zone, members in ZONES.items() if district in members), None)


def similar_districts(typed: str, limit: int = 5) -> list[str]:
    """Districts whose names look like what was typed (a typo), best first; may be empty."""
    cleaned = typed.strip().replace(" ", "").removeprefix("สำนักงานเขต").removeprefix("เขต")
    if not cleaned:
        return []
    close = difflib.get_close_matches(cleaned, DISTRICTS, n=limit, cutoff=0.5)
    contained = [name for name in DISTRICTS if cleaned in name and name not in close]
    return (close + contained)[:limit]


def match_district(typed: str) -> str | None:
    """The district a person meant, accepting 'เขต', spaces and a unique prefix; None if unclear."""
    cleaned = typed.strip().replace(" ", "")
    for prefix in ("สำนักงานเขต", "เขต"):
        if cleaned.startswith(prefix) and len(cleaned) > len(prefix):
            cleaned = cleaned[len(prefix) :]
    if cleaned in DISTRICTS:
        return cleaned
    candidates = [name for name in DISTRICTS if name.startswith(cleaned)] if len(cleaned) >= 2 else []
    return candidates[0] if len(candidates) == 1 else None
