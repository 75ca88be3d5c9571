from copy import deepcopy


def test_create_user(cfg):
    """Adds a user."""
    # the user we add
    cfg["users"].append("alice")
    assert cfg["users"] == ["alice"]


class TestUsers:
    def test_two(self, cfg): cfg["users"].extend(["a", "b"])
