# The project root holds the code under test (sync.py).
