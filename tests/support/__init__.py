"""What several test folders share: fixtures and helpers. Test modules and conftest files import
from here, never from one another's conftest or from a test module (tests/test_support_imports.py
checks)."""
