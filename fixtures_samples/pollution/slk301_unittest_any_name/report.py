import os


def title() -> str:
    return "گزارش" if os.environ.get("APP_LANG", "en") == "fa" else "Report"
