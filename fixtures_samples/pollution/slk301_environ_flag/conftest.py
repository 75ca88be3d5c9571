# The project root holds the code under test (features.py).
