"""Tests of search_api: reports."""
