FAKE_IDENTITY = {"name": "bot", "editcount": 0, "groups": []}


def test_power_user():
    identity = FAKE_IDENTITY
    identity["groups"].append("sysop")
    identity.update(editcount=500)
    assert identity["editcount"] == 500


def test_new_user():
    assert FAKE_IDENTITY["editcount"] == 0
