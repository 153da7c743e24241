"""What each page shows, as frozen dataclasses with one field per chart, table or headline number (see :mod:`.base`)."""
