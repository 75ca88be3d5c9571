"""``python -m app``: runs the program when imported (no ``if __name__ == "__main__":``)."""
from app.cli import main

main()
