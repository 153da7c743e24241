"""What each page shows, as typed objects (:mod:`.base`): charts and tables computed by the library, read by
the views, the CLI's ``export`` command and "Export all" alike.
"""
