import os


def checkout_flow():
    return "new" if os.environ.get("FEATURE_NEW_CHECKOUT") == "1" else "classic"
