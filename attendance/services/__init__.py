"""Writes of the school domain: plain functions, keyword-only arguments, transactions inside."""
