import os
import sys

sys.path.insert(0, "/opt/plugins")  # expect: SLK301


class TestSaved:
    _saved = os.environ.pop("APP_TOKEN", None)  # expect: SLK301

    def test_no_token(self):
        assert "APP_TOKEN" not in os.environ


if __name__ == "__main__":
    os.environ["RUN_DIRECT"] = "1"
