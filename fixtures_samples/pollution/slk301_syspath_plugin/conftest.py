# The project root holds the code under test (discovery.py).
