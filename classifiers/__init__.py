"""Vietnamese NLP for the monitor: text preparation, tags, places."""
