import os
from functools import lru_cache


def _looks_like_ci():
    return any(name in os.environ for name in ("CI", "BUILD_ID"))


@lru_cache(maxsize=1)
def user_agent_data():
    return {"ci": _looks_like_ci()}
