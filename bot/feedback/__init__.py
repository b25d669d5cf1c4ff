"""Feedback on results: the good / bad buttons under every result, one verdict per person and job."""
