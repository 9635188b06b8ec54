"""Generate data/gazetteer/gazetteer.json from the installed data packages.

Names are never typed by hand: every province, district and commune comes
from `vietnam-provinces` (the 34 provinces and 3,321 communes of 2025, the
spelling the API reports) and `vietnamadminunits` (the 63 provinces, their
districts and communes before July 2025, and its 2025 conversion table).
Older `vietnam-provinces` wheels (0.2, 0.4.3) may be passed to add names that
disappeared before 2025 but fill the press archive ("Thừa Thiên Huế",
"Quận 9", "huyện Hoa Lư"). The "ordinary word" lists come from the
underthesea dictionaries. See docs/gazetteer.md.

Run: python -m classifiers.gazetteer_build --historical-versions 0.2 0.4.3
(fetches those wheels with pip into a temporary folder; --historical WHEEL ...
reads wheels already at hand).
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from classifiers.gazetteer import fold
from classifiers.text import normalize

OUT = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "gazetteer.json"
# Two-syllable lowercase words, for school names like "Bách khoa" (classifiers.schools).
COMPOUNDS = OUT.with_name("compounds.txt")
# Unit words in front of names in the packages, longest first.
_PREFIX = re.compile(
    r"^(Thành phố|Tỉnh|Quận|Huyện|Thị xã|Thị trấn|Phường|Xã|Đặc khu)\s+", re.IGNORECASE
)


def split_unit(full: str) -> tuple[str, str]:
    """'Huyện Lạc Sơn' -> ('huyện', 'Lạc Sơn'); 'Quận 03' -> ('quận', '3')."""
    full = normalize(full)
    m = _PREFIX.match(full)
    if not m:
        return "", full
    name = re.sub(r"(['’])\s+", r"\1", full[m.end():])   # "Ia H' Drai" -> "Ia H'Drai"
    return m.group(1).lower(), str(int(name)) if name.isdigit() else name


def words(name: str) -> str:
    """Join key that keeps tone marks: lowercase words only."""
    return " ".join(re.findall(r"\w+", normalize(name).lower()))


def _package_file(dist: str, suffix: str) -> Path:
    for f in metadata.files(dist) or []:
        if str(f).endswith(suffix):
            return Path(f.locate())
    raise FileNotFoundError(f"{dist}: {suffix}")


def read_2025() -> tuple[list[dict], list[dict]]:
    """The 34 provinces and 3,321 communes as `vietnam_provinces` spells them."""
    from vietnam_provinces import Province, Ward

    provinces = [{"code": int(p.code), "name": p.name, "short": split_unit(p.name)[1],
                  "city": p.name.startswith("Thành phố")} for p in Province.iter_all()]
    index = {p["code"]: i for i, p in enumerate(provinces)}
    wards = []
    for w in Ward.iter_all():
        unit, short = split_unit(w.name)
        wards.append({"name": w.name, "short": short, "unit": unit, "p": index[int(w.province_code)]})
    return provinces, wards


def read_adminunits() -> tuple[list[tuple], list[tuple], dict]:
    """Legacy rows, 2025 rows and the conversion table of `vietnamadminunits`."""
    db = sqlite3.connect(_package_file("vietnamadminunits", "data/dataset.db"))
    legacy = db.execute(
        "select province, district, ward, provinceCode, provinceKey, districtKey, wardKey, provinceAlias"
        " from admin_units_legacy").fetchall()
    new = db.execute("select province, ward, provinceKey, wardKey from admin_units").fetchall()
    conv = json.loads(_package_file("vietnamadminunits", "data/converter_2025.json").read_text("utf-8"))
    return legacy, new, conv


def read_historical(wheel: Path) -> tuple[str, list[dict]]:
    """(version, nested provinces) from an older `vietnam-provinces` wheel."""
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(z.read("vietnam_provinces/data/nested-divisions.json"))
    version = re.search(r"vietnam_provinces-([^-]+)-", wheel.name)
    return (version.group(1) if version else wheel.name), data


class Builder:
    """Accumulates the units and their links, then writes one JSON document."""

    def __init__(self, provinces: list[dict], wards2025: list[dict]):
        self.provinces = provinces
        self.wards2025 = wards2025
        self.legacy: list[dict] = []       # legacy provinces (and renamed aliases)
        self.districts: list[dict] = []
        self.wards: list[dict] = []
        self._lp_by_code: dict[int, int] = {}
        self._d_by_key: dict[tuple, int] = {}
        self._w_by_key: dict[tuple, int] = {}
        self._w_by_name: dict[tuple, list[int]] = {}   # (code, key) -> mid-2025 communes
        by_short = {p["short"]: i for i, p in enumerate(provinces)}
        # The packages differ in apostrophes, dashes and case, never in tone marks.
        self._w2025 = {(w["p"], words(w["name"])): i for i, w in enumerate(wards2025)}
        self._p2025_by_name = {normalize(p["name"]): i for i, p in enumerate(provinces)}
        self._p2025_by_short = by_short

    def add_legacy_province(self, code: int, full: str, to: int, aliases: list[str]) -> int:
        unit, short = split_unit(full)
        if code in self._lp_by_code:
            first = self.legacy[self._lp_by_code[code]]
            if first["name"] == short:
                return self._lp_by_code[code]
            # A renamed province (Thừa Thiên Huế -> Huế): a second record, same code.
            for i, lp in enumerate(self.legacy):
                if lp["name"] == short:
                    return i
        self.legacy.append({"code": code, "name": short, "city": unit == "thành phố",
                            "to": to, "aliases": aliases})
        self._lp_by_code.setdefault(code, len(self.legacy) - 1)
        return len(self.legacy) - 1

    def add_district(self, lp_code: int, full: str) -> int:
        unit, short = split_unit(full)
        key = (lp_code, fold(short))
        if key in self._d_by_key:
            d = self.districts[self._d_by_key[key]]
            if unit not in d["units"]:
                d["units"].append(unit)
            return self._d_by_key[key]
        self.districts.append({"name": short, "units": [unit], "lp": self._lp_by_code[lp_code],
                               "to_wards": []})
        self._d_by_key[key] = len(self.districts) - 1
        return len(self.districts) - 1

    def add_ward(self, lp_code: int, d: int, full: str, to: int | None) -> int:
        unit, short = split_unit(full)
        key = (lp_code, d, fold(short))
        if key in self._w_by_key:
            w = self.wards[self._w_by_key[key]]
            if unit not in w["units"]:
                w["units"].append(unit)
            if w["to"] is None:
                w["to"] = to
            return self._w_by_key[key]
        self.wards.append({"name": short, "units": [unit], "d": d, "to": to})
        self._w_by_key[key] = len(self.wards) - 1
        return len(self.wards) - 1

    def ward2025(self, province_full: str, ward_full: str) -> int | None:
        p = self._p2025_by_name.get(normalize(province_full))
        if p is None:
            p = self._p2025_by_short.get(split_unit(province_full)[1])
        return self._w2025.get((p, words(ward_full)))

    def add_adminunits(self, legacy: list[tuple], new: list[tuple], conv: dict) -> None:
        """The mid-2025 legacy units, each linked to its 2025 province and commune."""
        new_by_key = {(pk, wk): self.ward2025(prov, ward) for prov, ward, pk, wk in new}
        new_prov_of = {old: newk for newk, olds in conv["DICT_PROVINCE"].items() for old in olds}
        p2025_of_key = {pk: self.wards2025[self.ward2025(prov, ward)]["p"] for prov, ward, pk, wk in new}
        to_ward = self._conversion(conv)
        for prov, dist, ward, code, pk, dk, wk, alias in legacy:
            newpk = new_prov_of[pk]
            to_p = p2025_of_key[newpk]
            aliases = json.loads(alias) if alias else []
            self.add_legacy_province(int(code), prov, to_p, aliases)
            d = self.add_district(int(code), dist)
            target = to_ward.get(f"{pk}_{dk}_{wk or ''}")
            to = new_by_key.get((newpk, target)) if target else None
            if to is not None:
                self.districts[d]["to_wards"].append(to)
            if ward:
                w = self.add_ward(int(code), d, ward, to)
                self._w_by_name.setdefault((int(code), fold(split_unit(ward)[1])), []).append(w)

    @staticmethod
    def _conversion(conv: dict) -> dict[str, str]:
        """Legacy 'province_district_ward' key -> 2025 ward key (the package's default when split)."""
        out = {}
        for wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].values():
            for newk, olds in wards.items():
                for old in olds:
                    out[old] = newk
        for wards in conv["DICT_PROVINCE_WARD_DIVIDED"].values():
            for old, options in wards.items():
                default = [o["newWardKey"] for o in options if o.get("isDefaultNewWard")]
                if default and old not in out:
                    out[old] = default[0]
        return out

    def add_historical(self, provinces: list[dict]) -> None:
        """Names from an older release, linked through the statistics office codes."""
        for p in provinces:
            code = int(p["code"])
            if code not in self._lp_by_code:
                continue
            to = self.legacy[self._lp_by_code[code]]["to"]
            self.add_legacy_province(code, p["name"], to, [])
            for dist in p["districts"]:
                d = self.add_district(code, dist["name"])
                for ward in dist["wards"]:
                    # A commune whose district was renamed keeps its 2025 target
                    # when its name is unique in the province.
                    same = self._w_by_name.get((code, fold(split_unit(ward["name"])[1])), [])
                    to = self.wards[same[0]]["to"] if len(same) == 1 else None
                    self.add_ward(code, d, ward["name"], to)

    def document(self, sources: dict, dictionary: set[str]) -> dict:
        for d in self.districts:
            targets = set(d.pop("to_wards"))
            d["commune"] = targets.pop() if len(targets) == 1 else None
        names = ([p["name"] for p in self.legacy] + [d["name"] for d in self.districts]
                 + [w["name"] for w in self.wards] + [w["short"] for w in self.wards2025])
        lowered = {n.lower() for n in names}
        dict_bare = {fold(w) for w in dictionary}
        return {
            "sources": sources,
            "provinces": self.provinces,
            "legacy_provinces": self.legacy,
            "districts": self.districts,
            "wards": self.wards,
            "wards2025": self.wards2025,
            "ordinary": sorted(lowered & dictionary),
            "ordinary_bare": sorted({fold(n) for n in names} & dict_bare),
        }


def read_dictionary() -> tuple[set[str], str]:
    """Lowercase Vietnamese words and phrases from the underthesea word lists."""
    words: set[str] = set()
    for size in ("Viet11K", "Viet22K", "Viet39K", "Viet74K"):
        path = _package_file("underthesea", f"corpus/data/{size}.txt")
        for line in path.read_text("utf-8").splitlines():
            line = normalize(line)
            if line and line == line.lower():
                words.add(line)
    return words, metadata.version("underthesea")


def build(historical: list[Path]) -> dict:
    provinces, wards2025 = read_2025()
    builder = Builder(provinces, wards2025)
    builder.add_adminunits(*read_adminunits())
    sources = {
        "vietnam-provinces": metadata.version("vietnam-provinces"),
        "vietnamadminunits": metadata.version("vietnamadminunits"),
    }
    for wheel in historical:
        version, data = read_historical(wheel)
        builder.add_historical(data)
        sources.setdefault("vietnam-provinces (historical)", []).append(version)
    dictionary, dict_version = read_dictionary()
    sources["underthesea (dictionary)"] = dict_version
    return builder.document(sources, dictionary)


def compounds() -> list[str]:
    """Two-syllable lowercase words of the dictionary, sorted."""
    words, _ = read_dictionary()
    return sorted(w for w in words if w.count(" ") == 1)


def fetch_wheels(versions: list[str], folder: Path) -> list[Path]:
    """Older vietnam-provinces releases, downloaded by pip (build time only)."""
    wheels = []
    for version in versions:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "-d", str(folder), f"vietnam-provinces=={version}"],
                       check=True)
        wheels += [w for w in folder.glob(f"vietnam_provinces-{version}-*.whl")]
    return wheels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--historical", nargs="*", type=Path, default=[],
                        help="older vietnam-provinces wheels already downloaded")
    parser.add_argument("--historical-versions", nargs="*", default=[],
                        help="older vietnam-provinces releases to fetch with pip (the shipped file: 0.2 0.4.3)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = list(args.historical) + fetch_wheels(args.historical_versions, Path(tmp))
        doc = build(wheels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), "utf-8")
    args.out.with_name(COMPOUNDS.name).write_text("\n".join(compounds()) + "\n", "utf-8")
    print(f"{args.out}: {len(doc['legacy_provinces'])} legacy provinces, {len(doc['districts'])} districts, "
          f"{len(doc['wards'])} legacy communes, {len(doc['wards2025'])} communes of 2025", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
