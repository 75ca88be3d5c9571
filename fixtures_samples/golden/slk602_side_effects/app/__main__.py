"""``python -m app``: runs the program when imported."""
from app.cli import main

main()
