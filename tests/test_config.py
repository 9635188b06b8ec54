"""feeds.toml errors are one clear line naming the key and the line, never a traceback."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import load_config, parse_config
from monitor.errors import ConfigError

BASE = """[office]
name = "Văn phòng Sở"
province_code = 25

[[sources]]
name = "a"
url = "https://example.vn/a.rss"
"""


@pytest.mark.parametrize("text, key, line, words", [
    (BASE.replace("province_code = 25", "province_code = 25\ncolour = 1"), "office.colour", 4, "unknown key"),
    (BASE + '\n[[sources]]\nname = "b"\nurl = "https://example.vn/b"\ninterval = "soon"\n', "sources[1].interval", 12,
     "not a duration"),
    (BASE.replace('name = "a"', 'name = "a"\nkind = "telegram"'), "sources[0].kind", 7, "Input should be"),
    (BASE.replace('name = "Văn phòng Sở"\n', ""), "office.name", 1, "required key is missing"),
    (BASE + '\n[[sources]]\nname = "a"\nurl = "https://example.vn/c"\n', None, None, "two sources are named 'a'"),
    (BASE.replace('timezone', 'x') + '\n', None, None, None),
    ('[office\nname = "x"', None, 1, "not valid TOML"),
])
def test_errors_name_key_and_line(text, key, line, words):
    if words is None:
        parse_config(text)
        return
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "feeds.toml")
    error = caught.value
    assert words in str(error)
    if key:
        assert error.key == key
    if line:
        assert error.line == line


def test_google_news_source_builds_a_vietnamese_search_url():
    config = parse_config(BASE + '\n[[sources]]\nname = "g"\nkind = "google_news"\nquery = \'"Phú Thọ" trường\'\n')
    url = config.sources[1].fetch_url
    assert url.startswith("https://news.google.com/rss/search?q=")
    assert url.endswith("&hl=vi&gl=VN&ceid=VN:vi")


def test_shipped_feeds_toml_is_valid():
    config = load_config("feeds.toml")
    assert config.office.province == "Phú Thọ"
    kinds = {s.kind for s in config.sources}
    assert {"rss", "google_news", "html"} <= kinds


def test_cli_shows_a_config_mistake_without_traceback(tmp_path):
    bad = tmp_path / "feeds.toml"
    bad.write_text(BASE.replace("province_code = 25", "province_code = 250"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "--db", str(tmp_path / "m.db"), "init"])
    assert result.exit_code == 1
    assert "feeds.toml:3: office.province_code:" in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help_with_an_example():
    def walk(group, prefix=()):
        for name, command in group.commands.items():
            yield prefix + (name,), command
            if hasattr(command, "commands"):
                yield from walk(command, prefix + (name,))

    for path, command in walk(cli):
        assert command.help and "Example" in command.help, f"monitor {' '.join(path)} lacks an Example in its help"
