USE_INTERNET = True


def lookup(name: str) -> str:
    return f"live:{name}" if USE_INTERNET else f"cached:{name}"
