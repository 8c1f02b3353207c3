"""Tests of the linked-data site (pages, negotiation, browser, crawl)."""
