"""Whole networks: paper-like tables (:mod:`.tables`) and the one build function (:mod:`.build`)."""
