"""Development tools (run from the repository root): async-to-sync, mutation testing."""
