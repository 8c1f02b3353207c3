"""Helpers shared by the test folders: real servers and bounded waiting."""
