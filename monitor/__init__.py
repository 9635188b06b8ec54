"""Media monitoring and hot-issue alerts for Vietnamese education authorities."""

__version__ = "0.1.0"
USER_AGENT = f"edu-monitor/{__version__} (+press monitoring for an education department; contact in feeds.toml)"
